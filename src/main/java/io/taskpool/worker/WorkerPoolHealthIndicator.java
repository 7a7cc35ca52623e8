package io.taskpool.worker;

import io.taskpool.task.PoolStatus;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * {@code workerPool} in Actuator health, part of the readiness group: DOWN until every worker has
 * come up once, and DOWN while some worker keeps failing to start (a crash loop).
 */
public final class WorkerPoolHealthIndicator implements HealthIndicator {

    /** Failed starts in a row, on some slot, before the pool counts as broken. */
    private static final int CRASH_LOOP = 3;

    private final WorkerPool pool;

    public WorkerPoolHealthIndicator(WorkerPool pool) {
        this.pool = pool;
    }

    @Override
    public Health health() {
        PoolStatus status = pool.status();
        Health.Builder health = status.ready() && status.failedStartsInARow() < CRASH_LOOP ? Health.up() : Health.down();
        health.withDetail("size", status.size())
                .withDetail("busy", status.busy())
                .withDetail("idle", status.idle())
                .withDetail("restarts", status.restarts())
                .withDetail("failedStartsInARow", status.failedStartsInARow());
        if (!status.ready()) {
            health.withDetail("reason", "workers are still starting");
        }
        if (status.failedStartsInARow() > 0 && status.lastStartFailure() != null) {
            health.withDetail("lastStartFailure", status.lastStartFailure());
        }
        return health.build();
    }
}
