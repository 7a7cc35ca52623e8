package io.taskpool.api;

/** Every result stream thread is busy ({@code taskpool.batches.max-streams}). */
class TooManyStreamsException extends RuntimeException {

    TooManyStreamsException() {
        super("too many batch result streams are open (taskpool.batches.max-streams); read the results as JSON"
                + " pages, or retry later");
    }
}
