package io.taskpool.api;

/** Every result stream thread is busy ({@code taskpool.batches.max-streams}), or every event stream is taken. */
class TooManyStreamsException extends RuntimeException {

    TooManyStreamsException(String message) {
        super(message);
    }

    TooManyStreamsException() {
        super("too many batch result streams are open (taskpool.batches.max-streams); read the results as JSON"
                + " pages, or retry later");
    }
}
