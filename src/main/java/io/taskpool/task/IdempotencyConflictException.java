package io.taskpool.task;

/**
 * An {@code Idempotency-Key} came back with another request than the one it was first used
 * with, or while that first request is still being stored.
 */
public class IdempotencyConflictException extends RuntimeException {

    private final String key;
    private final boolean inProgress;

    public IdempotencyConflictException(String key, boolean inProgress, String message) {
        super(message);
        this.key = key;
        this.inProgress = inProgress;
    }

    public String key() {
        return key;
    }

    /** The first request with this key has not finished storing its resource yet. */
    public boolean inProgress() {
        return inProgress;
    }
}
