package io.taskpool.api;

/**
 * A task input that fits the request limit as sent but not once normalised (JSON numbers such as
 * {@code 1e9} grow when written back): refused like an oversized body, before it is stored.
 */
class InputTooLargeException extends RuntimeException {

    InputTooLargeException(long bytes, long limit) {
        super("the task input is " + bytes + " bytes as stored, over the limit of " + limit
                + " bytes (taskpool.api.max-body)");
    }
}
