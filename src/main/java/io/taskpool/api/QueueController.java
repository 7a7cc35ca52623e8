package io.taskpool.api;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.taskpool.task.TaskQueries;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** {@code /api/v1/queue}: the queue's figures, so that a dashboard needs no metrics server. */
@RestController
@Tag(name = "Pool", description = "Task types and worker processes")
class QueueController {

    private final TaskQueries tasks;
    private final Callers callers;

    QueueController(TaskQueries tasks, Callers callers) {
        this.tasks = tasks;
        this.callers = callers;
    }

    @GetMapping(path = "/api/v1/queue", produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "getQueue", summary = "Show the queue",
            description = "Queued tasks (also by priority) and running tasks, counted"
            + " in the store, and the last fifteen minutes of finished tasks, claims and queue wait in five-second"
            + " intervals as counted by the replica that answers (kept in memory: a restart starts afresh). An"
            + " administrator sees every tenant's figures, any other caller with the read role only their own"
            + " tenant's.")
    QueueView queue() {
        return QueueView.of(tasks.queueFigures(callers.current()));
    }
}
