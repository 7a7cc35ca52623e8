package io.taskpool.api;

/**
 * A token bucket: holds up to {@code capacity} tokens, refilled continuously at
 * {@code perSecond}; a request takes one. Time comes from the caller, in nanoseconds of a
 * monotonic clock, so it can be tested without waiting.
 */
final class TokenBucket {

    private final double capacity;
    private final double perNano;
    private double tokens;
    private long lastNanos;

    TokenBucket(double perSecond, int capacity, long nowNanos) {
        this.capacity = capacity;
        this.perNano = perSecond / 1e9;
        this.tokens = capacity;
        this.lastNanos = nowNanos;
    }

    /** Takes a token if there is one; otherwise answers how many nanoseconds until there is. */
    synchronized long take(long nowNanos) {
        tokens = Math.min(capacity, tokens + (nowNanos - lastNanos) * perNano);
        lastNanos = nowNanos;
        if (tokens >= 1) {
            tokens -= 1;
            return 0;
        }
        return (long) Math.ceil((1 - tokens) / perNano);
    }
}
