package io.taskpool.worker.runtime;

import io.taskpool.worker.protocol.Frame;
import io.taskpool.worker.protocol.FrameCodec;
import io.taskpool.worker.protocol.ProtocolException;
import java.io.IOException;
import java.io.OutputStream;

/**
 * The only writer of the worker's stdout. The task thread, the command reader and the heartbeat
 * thread all send through it, so frames never interleave.
 */
final class FrameWriter {

    private final FrameCodec codec;
    private final OutputStream out;

    FrameWriter(FrameCodec codec, OutputStream out) {
        this.codec = codec;
        this.out = out;
    }

    /** Encodes before taking the lock, so a large result does not delay heartbeats. */
    void send(Frame frame) {
        byte[] bytes;
        try {
            bytes = codec.encode(frame);
        } catch (ProtocolException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        synchronized (this) {
            try {
                out.write(bytes);
                out.flush();
            } catch (IOException parentGone) {
                // The parent closed the pipe: it is gone or has given up on us.
                WorkerMain.halt(0);
            }
        }
    }
}
