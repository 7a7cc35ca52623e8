package io.taskpool.api;

import java.time.Duration;

/** An API key made more requests than its rate limit allows. */
class RateLimitedException extends RuntimeException {

    private final Duration retryAfter;

    RateLimitedException(double perSecond, int burst, Duration retryAfter) {
        super("this API key made more than " + burst + " requests at once or more than " + perSecond
                + " per second (taskpool.security.rate-limit); retry after the Retry-After header");
        this.retryAfter = retryAfter;
    }

    Duration retryAfter() {
        return retryAfter;
    }
}
