package io.taskpool.task;

/**
 * What a submission produced: the resource, and whether it was created now or found, made
 * earlier by a request with the same {@code Idempotency-Key} and the same body.
 */
public record Submitted<T>(T resource, boolean created) {}
