package io.taskpool.worker;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * Liveness: DOWN only when the worker pool's supervisor thread has died, which nothing repairs
 * short of a restart. A busy pool or a crash-looping task type is not a liveness failure: it
 * shows in readiness and in the pool's health details, and restarting would not help.
 */
public final class WorkerSupervisorHealthIndicator implements HealthIndicator {

    private final WorkerPool pool;

    public WorkerSupervisorHealthIndicator(WorkerPool pool) {
        this.pool = pool;
    }

    @Override
    public Health health() {
        return pool.supervising() ? Health.up().build()
                : Health.down().withDetail("reason", "the worker supervisor thread has stopped; restart the service")
                        .build();
    }
}
