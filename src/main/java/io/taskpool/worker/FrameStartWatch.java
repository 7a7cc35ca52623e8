package io.taskpool.worker;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * A worker's stdout as the frame decoder reads it, noting when the frame being read began. A
 * worker that wrote part of a frame and then nothing more would otherwise hold the decoder
 * forever, and its later frames (heartbeats included) would be taken for the rest of that frame.
 * The supervisor compares the time with a deadline; the decoder's thread marks each frame's end.
 */
final class FrameStartWatch extends FilterInputStream {

    /** When the first byte of the frame being read arrived; 0 between frames. */
    private volatile long frameStartedNanos;

    FrameStartWatch(InputStream in) {
        super(in);
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
            started();
        }
        return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        int count = super.read(buffer, offset, length);
        if (count > 0) {
            started();
        }
        return count;
    }

    private void started() {
        if (frameStartedNanos == 0) {
            long now = System.nanoTime();
            frameStartedNanos = now == 0 ? 1 : now;
        }
    }

    /** The decoder has a whole frame: nothing is being read until the next byte arrives. */
    void frameEnded() {
        frameStartedNanos = 0;
    }

    /** How long the frame being read has been unfinished at {@code now}; 0 between frames. */
    long unfinishedFor(long now) {
        long started = frameStartedNanos;
        return started == 0 ? 0 : now - started;
    }
}
