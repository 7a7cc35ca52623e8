package io.taskpool.worker.protocol;

import java.io.IOException;

/** The byte stream is not a valid sequence of frames: the peer cannot be trusted any longer. */
public class ProtocolException extends IOException {

    public ProtocolException(String message) {
        super(message);
    }
}
