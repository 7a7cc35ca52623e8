package io.taskpool.task;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How long a failed task waits before its next attempt: the task's back-off, doubled for each
 * attempt after the second, then jittered by up to ±25% so that tasks that failed together (a
 * database that went away) do not all come back at the same instant.
 */
final class RetryBackoff {

    /** Doubling stops here: past it the wait would exceed a day anyway. */
    private static final int MAX_DOUBLINGS = 16;
    private static final Duration MAX_WAIT = Duration.ofDays(1);

    private RetryBackoff() {}

    /** The wait before attempt {@code nextAttempt} (2 for the first retry). */
    static Duration before(int nextAttempt, long backoffMs) {
        int doublings = Math.min(MAX_DOUBLINGS, Math.max(0, nextAttempt - 2));
        double base = Math.min((double) backoffMs * (1L << doublings), MAX_WAIT.toMillis());
        double jitter = 0.75 + ThreadLocalRandom.current().nextDouble() * 0.5;
        return Duration.ofMillis(Math.round(base * jitter));
    }
}
