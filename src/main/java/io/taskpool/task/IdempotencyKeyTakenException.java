package io.taskpool.task;

/**
 * Raised by a store when a new resource's idempotency key is held by another resource (or by a
 * concurrent submission that has not committed yet). The submission rolls back and answers with
 * the resource that holds the key.
 */
public class IdempotencyKeyTakenException extends RuntimeException {

    public IdempotencyKeyTakenException(String key, Throwable cause) {
        super("idempotency key '" + key + "' is taken", cause);
    }
}
