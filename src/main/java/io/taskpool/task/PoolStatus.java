package io.taskpool.task;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A consistent picture of the pool, published by the supervisor after each round of events.
 *
 * @param restarts replacement processes started since the service started, all reasons
 * @param restartsByReason the same by reason (crash, out_of_memory, timeout, cancel, ...)
 * @param ready true once every slot has had a working process at the same time
 * @param failedStartsInARow the most consecutive failed starts of any slot (a crash loop when high)
 * @param spare the warm spare (slot id 0), or null when there is none or it has not started yet
 */
public record PoolStatus(int size, int busy, int idle, long restarts, Map<String, Long> restartsByReason,
        boolean ready, int failedStartsInARow, String lastStartFailure, List<Worker> workers, Worker spare) {

    /**
     * One slot of the pool.
     *
     * @param taskStartedAt when the task it runs was claimed; null while it runs none
     */
    public record Worker(int id, Long pid, WorkerState state, UUID taskId, Instant taskStartedAt, long tasksCompleted,
            Instant startedAt) {}

    public static PoolStatus empty(int size) {
        return new PoolStatus(size, 0, 0, 0, Map.of(), false, 0, null, List.of(), null);
    }
}
