package io.taskpool.api;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.taskpool.task.TaskService;
import io.taskpool.worker.WorkerPool;
import java.util.Comparator;
import java.util.List;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.json.JsonMapper;

/** What the pool offers and how it is doing: task types and workers. */
@RestController
@RequestMapping(path = "/api/v1", produces = MediaType.APPLICATION_JSON_VALUE)
@Tag(name = "Pool", description = "Task types and worker processes")
class CatalogController {

    private final TaskService tasks;
    private final WorkerPool pool;
    private final JsonMapper json;

    CatalogController(TaskService tasks, WorkerPool pool, JsonMapper json) {
        this.tasks = tasks;
        this.pool = pool;
        this.json = json;
    }

    @GetMapping("/task-types")
    @Operation(summary = "List task types", description = "The types the workers announced, by name, each with"
            + " the JSON Schema of its input (inputSchema) when it declares one.")
    List<TaskTypeView> taskTypes() {
        return tasks.taskTypes().stream()
                .map(type -> TaskTypeView.of(type.type(), type.description(), type.inputSchema(), json))
                .sorted(Comparator.comparing(TaskTypeView::type))
                .toList();
    }

    @GetMapping("/workers")
    @Operation(summary = "Show the worker pool", description = "Every worker slot: its process, state, current task"
            + " and how many tasks it has finished; restarts counts replacement processes of every cause.")
    WorkerPoolView workers() {
        return WorkerPoolView.of(pool.status());
    }
}
