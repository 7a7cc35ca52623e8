package io.taskpool.task;

/**
 * A client's {@code Idempotency-Key} with the digest of the request it came with; stored next to
 * the resource and as long-lived as it.
 */
public record Idempotency(String key, String requestHash) {}
