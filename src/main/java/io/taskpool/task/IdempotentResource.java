package io.taskpool.task;

/** A stored resource found by its idempotency key, with the digest of the request that made it. */
public record IdempotentResource<T>(T resource, String requestHash) {}
