package io.taskpool.api;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.taskpool.task.NodeIdentity;
import io.taskpool.task.TaskQueries;
import io.taskpool.task.WorkerGateway;
import java.util.Comparator;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.json.JsonMapper;

/** What the pool offers and how it is doing: task types and workers. */
@RestController
@RequestMapping(path = "/api/v1", produces = MediaType.APPLICATION_JSON_VALUE)
@Tag(name = "Pool", description = "Task types and worker processes")
class CatalogController {

    private final TaskQueries tasks;
    private final WorkerGateway pool;
    private final JsonMapper json;
    private final NodeIdentity node;

    CatalogController(TaskQueries tasks, WorkerGateway pool, JsonMapper json, NodeIdentity node) {
        this.tasks = tasks;
        this.pool = pool;
        this.json = json;
        this.node = node;
    }

    @GetMapping("/task-types")
    @Operation(operationId = "listTaskTypes", summary = "List task types",
            description = "The types the workers announced, by name, each with"
            + " the JSON Schema of its input (inputSchema) when it declares one.")
    List<TaskTypeView> taskTypes() {
        return tasks.taskTypes().stream()
                .map(type -> TaskTypeView.of(type.type(), type.description(), type.inputSchema(), json))
                .sorted(Comparator.comparing(TaskTypeView::type))
                .toList();
    }

    @GetMapping("/workers")
    @Operation(operationId = "getWorkerPool", summary = "Show the worker pool",
            description = "Every worker slot: its process and the process's"
            + " resident memory, state, current task and since when it runs it, and how many tasks it has finished;"
            + " restarts counts replacement processes of every cause.")
    WorkerPoolView workers() {
        return WorkerPoolView.of(node, pool.status());
    }

    @PostMapping("/workers/restart")
    @ResponseStatus(HttpStatus.ACCEPTED)
    @Operation(operationId = "restartWorkers", summary = "Restart the workers",
            description = "A rolling restart, in the background: every worker is"
            + " replaced by a fresh process, one at a time; an idle worker at once, a busy one when its current task"
            + " (or batch chunk) is done, so queued work keeps running and nothing fails. New workers load the jars"
            + " of taskpool.workers.plugins-dir as they are now, and the task types follow the newest worker. The"
            + " answer is the pool as it was when the restart was requested; follow GET /api/v1/workers"
            + " (restartsByReason.restart).")
    @ApiResponse(responseCode = "202", description = "The restart has begun")
    WorkerPoolView restartWorkers() {
        pool.restart();
        return WorkerPoolView.of(node, pool.status());
    }
}
