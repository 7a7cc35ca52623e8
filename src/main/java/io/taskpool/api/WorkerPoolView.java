package io.taskpool.api;

import io.swagger.v3.oas.annotations.media.Schema;
import io.taskpool.task.NodeIdentity;
import io.taskpool.task.PoolStatus;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** The worker pool as {@code GET /api/v1/workers} shows it. */
@Schema(name = "WorkerPool", description = "The worker processes and what they are doing")
record WorkerPoolView(
        @Schema(description = "This service process in the store: its node name (taskpool.node-id, or the host name)"
                + " and a token unique to this start, the owner of the tasks it claims", example = "taskpool-0#3kf9z2x1qj7")
        String node,
        @Schema(description = "Configured number of workers", example = "4") int size,
        @Schema(description = "Workers running a task", example = "1") int busy,
        @Schema(description = "Workers waiting for a task", example = "3") int idle,
        @Schema(description = "Replacement processes started since the service started", example = "0") long restarts,
        @Schema(description = "The same by reason: restart (rolling restart), recycle, crash, out_of_memory, timeout,"
                + " cancel, unresponsive, protocol_error, start_failure", example = "{\"restart\": 2}")
        Map<String, Long> restartsByReason,
        @Schema(description = "Every worker slot") List<WorkerView> workers,
        @Schema(nullable = true, description = "The warm spare (taskpool.workers.warm-spare), slot id 0: a worker JVM"
                + " started in reserve that runs no task and takes the place of the next worker to exit, so the"
                + " pool is full again at once; STARTING until it has said hello, IDLE when ready. Null when"
                + " there is none") WorkerView spare) {

    /** One worker slot. */
    @Schema(name = "Worker", description = "One worker slot and the process in it")
    record WorkerView(
            @Schema(description = "Slot number, stable across replacements", example = "1") int id,
            @Schema(nullable = true, description = "Process id of the current worker JVM", example = "4242") Long pid,
            @Schema(example = "BUSY", allowableValues = {"STARTING", "IDLE", "BUSY", "STOPPING"}) String state,
            @Schema(nullable = true, description = "The task it runs") String taskId,
            @Schema(nullable = true, description = "When the task it runs was claimed (UTC)") Instant taskStartedAt,
            @Schema(description = "Tasks this process has finished", example = "17") long tasksCompleted,
            @Schema(nullable = true, description = "When this process started (UTC)") Instant startedAt,
            @Schema(nullable = true, description = "Resident memory of the process in bytes, read from /proc; null"
                    + " where there is no /proc or no process", example = "41943040") Long rssBytes) {}

    static WorkerPoolView of(NodeIdentity node, PoolStatus status) {
        return new WorkerPoolView(node.id(), status.size(), status.busy(), status.idle(), status.restarts(), status.restartsByReason(),
                status.workers().stream().map(WorkerPoolView::viewOf).toList(),
                status.spare() == null ? null : viewOf(status.spare()));
    }

    private static WorkerView viewOf(PoolStatus.Worker w) {
        return new WorkerView(w.id(), w.pid(), w.state().name(), w.taskId() == null ? null : w.taskId().toString(),
                w.taskStartedAt(), w.tasksCompleted(), w.startedAt(),
                w.pid() == null ? null : ResidentMemory.ofProcess(w.pid()));
    }
}
