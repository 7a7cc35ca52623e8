package io.taskpool.api;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.ArraySchema;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.taskpool.task.NewTask;
import io.taskpool.task.TaskAttempt;
import io.taskpool.task.Task;
import io.taskpool.task.TaskNotFoundException;
import io.taskpool.task.TaskQuery;
import io.taskpool.task.TaskQueries;
import io.taskpool.task.TaskService;
import io.taskpool.task.TaskState;
import io.taskpool.task.TaskStateConflictException;
import io.taskpool.task.Submitted;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code /api/v1/tasks}. Waiting requests ({@code waitMs}) are asynchronous: the servlet thread
 * goes back to the pool and the reply is written when the task's state change fires.
 */
@RestController
@RequestMapping(path = "/api/v1/tasks", produces = MediaType.APPLICATION_JSON_VALUE)
@Tag(name = "Tasks", description = "Submit tasks, follow them, fetch results, cancel and delete")
class TaskController {

    static final String TEXT_PLAIN_UTF8 = "text/plain;charset=UTF-8";

    static final String WAIT_DESCRIPTION = "Hold the request until the task is terminal or this many milliseconds"
            + " have passed (0 to 60000)";

    private final TaskService tasks;
    private final TaskQueries queries;
    private final Callers callers;
    private final JsonMapper json;
    private final long maxInputBytes;

    TaskController(TaskService tasks, TaskQueries queries, Callers callers, JsonMapper json, ApiProperties api) {
        this.tasks = tasks;
        this.queries = queries;
        this.callers = callers;
        this.json = json;
        this.maxInputBytes = api.maxBody().toBytes();
    }

    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "submitTask", summary = "Submit a task",
            description = "Stores the task (committed before the reply) and queues it. With waitMs the reply waits"
                    + " for the task: 200 with the finished task if it ended in time, else 202.")
    @ApiResponse(responseCode = "202", description = "Accepted and queued (or still running after waitMs)")
    @ApiResponse(responseCode = "200", description = "Finished within waitMs, or a repeat of an earlier request with"
            + " the same Idempotency-Key (the earlier task)")
    @ApiResponse(responseCode = "400", description = "Malformed JSON, unknown type, a bad field, or an input that"
            + " does not match the type's inputSchema (type urn:taskpool:problem:invalid-input, with its path)",
            content = @Content(mediaType = "application/problem+json", schema = @Schema(implementation = ProblemView.class)))
    @ApiResponse(responseCode = "413", description = "Body larger than taskpool.api.max-body",
            content = @Content(mediaType = "application/problem+json", schema = @Schema(implementation = ProblemView.class)))
    @ApiResponse(responseCode = "415", description = "Body is not application/json",
            content = @Content(mediaType = "application/problem+json", schema = @Schema(implementation = ProblemView.class)))
    @ApiResponse(responseCode = "409", description = "A concurrent request with the same Idempotency-Key is still"
            + " being stored; retry", content = @Content(mediaType = "application/problem+json",
            schema = @Schema(implementation = ProblemView.class)))
    @ApiResponse(responseCode = "422", description = "The Idempotency-Key was used with another request",
            content = @Content(mediaType = "application/problem+json", schema = @Schema(implementation = ProblemView.class)))
    @ApiResponse(responseCode = "429", description = "Queue full; retry after the Retry-After header",
            content = @Content(mediaType = "application/problem+json", schema = @Schema(implementation = ProblemView.class)))
    CompletableFuture<ResponseEntity<TaskView>> submit(@Valid @RequestBody SubmitTaskRequest request,
            @Parameter(description = WAIT_DESCRIPTION) @RequestParam(defaultValue = "0") @Min(0) @Max(60000) long waitMs,
            @Parameter(description = "Makes the submission safe to retry: a repeat with the same key and body returns"
                    + " the first task", example = "9b2f6c1e-task-42")
            @RequestHeader(name = RequestDigest.IDEMPOTENCY_KEY, required = false) String idempotencyKey) {
        String key = RequestDigest.checkKey(idempotencyKey);
        if (request.input() != null && !request.input().isObject()) {
            throw new BadRequestException("input", "input must be a JSON object");
        }
        String input = request.input() == null ? "{}" : json.writeValueAsString(request.input());
        int inputBytes = input.getBytes(StandardCharsets.UTF_8).length;
        if (inputBytes > maxInputBytes) {
            throw new InputTooLargeException(inputBytes, maxInputBytes);
        }
        RequestDigest digest = new RequestDigest().add("type", request.type()).add("input", input)
                .add("timeoutMs", request.timeoutMs()).add("priority", request.priority())
                .add("labels", request.labels() == null ? null : json.writeValueAsString(request.labels()));
        // Retry fields join the digest only when given, so that keys stored before they existed still match.
        digest.addIfPresent("maxAttempts", request.maxAttempts())
                .addIfPresent("retryBackoffMs", request.retryBackoffMs())
                .addIfPresent("retryOnTimeout", request.retryOnTimeout());
        Submitted<Task> submitted = tasks.submit(new NewTask(request.type(), input, request.timeoutMs(),
                request.priority(), request.labels(), request.maxAttempts(), request.retryBackoffMs(),
                request.retryOnTimeout(), RequestDigest.idempotency(key, digest)), callers.current());
        Task task = submitted.resource();
        URI location = URI.create("/api/v1/tasks/" + task.id());
        // Without waitMs the task just stored is the answer: no second read.
        CompletableFuture<Task> answer = waitMs == 0 ? CompletableFuture.completedFuture(task)
                : queries.awaitTerminal(task.id(), Duration.ofMillis(waitMs));
        return answer.thenApply(current -> ResponseEntity
                .status(!submitted.created() || waitMs > 0 && current.state().isTerminal() ? HttpStatus.OK
                        : HttpStatus.ACCEPTED)
                .location(location)
                .body(view(current)));
    }

    @GetMapping("/{id}")
    @Operation(operationId = "getTask", summary = "Get a task",
            description = "With waitMs, a long poll: answers as soon as the task is"
            + " terminal, or with the task as it is when waitMs has passed.")
    @ApiResponse(responseCode = "200", description = "The task")
    @ApiResponse(responseCode = "404", description = "No such task",
            content = @Content(mediaType = "application/problem+json", schema = @Schema(implementation = ProblemView.class)))
    CompletableFuture<TaskView> get(@Parameter(description = "Task id", example = "0b7f6d3e-2c4a-4f7e-9a51-1f2d3c4b5a69") @PathVariable String id,
            @Parameter(description = WAIT_DESCRIPTION) @RequestParam(defaultValue = "0") @Min(0) @Max(60000) long waitMs) {
        return queries.awaitTerminal(parseId(id), Duration.ofMillis(waitMs), callers.current()).thenApply(this::view);
    }

    @GetMapping("/{id}/result")
    @Operation(operationId = "getTaskResult", summary = "Get a task's result",
            description = "The result JSON itself once the task SUCCEEDED."
            + " 409 while it is not finished (after waitMs, if given) or when it ended otherwise; the problem"
            + " carries the task's state and error.")
    @ApiResponse(responseCode = "200", description = "The result", content = @Content(
            mediaType = MediaType.APPLICATION_JSON_VALUE, schema = @Schema(types = "object",
            example = "{\"count\": 78498}")))
    @ApiResponse(responseCode = "404", description = "No such task",
            content = @Content(mediaType = "application/problem+json", schema = @Schema(implementation = ProblemView.class)))
    @ApiResponse(responseCode = "409", description = "Not finished, or did not succeed",
            content = @Content(mediaType = "application/problem+json", schema = @Schema(implementation = ProblemView.class)))
    CompletableFuture<ResponseEntity<String>> result(@Parameter(description = "Task id", example = "0b7f6d3e-2c4a-4f7e-9a51-1f2d3c4b5a69") @PathVariable String id,
            @Parameter(description = WAIT_DESCRIPTION) @RequestParam(defaultValue = "0") @Min(0) @Max(60000) long waitMs) {
        return queries.awaitTerminal(parseId(id), Duration.ofMillis(waitMs), callers.current()).thenApply(task -> {
            if (task.state() == TaskState.SUCCEEDED) {
                return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(task.resultJson());
            }
            String why = task.state().isTerminal()
                    ? "task " + task.id() + " ended " + task.state() + " and has no result"
                    : "task " + task.id() + " is " + task.state() + "; its result is not ready yet";
            throw new TaskStateConflictException(task, why);
        });
    }

    @GetMapping(path = "/{id}/logs", produces = TEXT_PLAIN_UTF8)
    @Operation(operationId = "getTaskLog", summary = "Get a task's log",
            description = "What the task's handler logged and its program wrote to"
            + " stderr (progress lines aside), one line each, oldest first; only the last taskpool.tasks.max-log"
            + " characters are kept. Written while the task runs, at most every 250 ms, and complete once it is"
            + " terminal. A retried task's later attempts start with a line '--- attempt N ---'. Empty when"
            + " nothing was logged.")
    @ApiResponse(responseCode = "200", description = "The log", content = @Content(mediaType = TEXT_PLAIN_UTF8,
            schema = @Schema(type = "string", example = "reading input\nprocessed 1000 rows\n")))
    @ApiResponse(responseCode = "404", description = "No such task",
            content = @Content(mediaType = "application/problem+json", schema = @Schema(implementation = ProblemView.class)))
    ResponseEntity<String> logs(@Parameter(description = "Task id", example = "0b7f6d3e-2c4a-4f7e-9a51-1f2d3c4b5a69") @PathVariable String id) {
        return ResponseEntity.ok().contentType(MediaType.parseMediaType(TEXT_PLAIN_UTF8)).body(queries.log(parseId(id), callers.current()));
    }

    @GetMapping
    @Operation(operationId = "listTasks", summary = "List tasks",
            description = "Newest first, filtered by state, type, batch and labels, one page"
            + " at a time. Pages are stable under concurrent submissions: pass nextCursor as cursor.")
    @ApiResponse(responseCode = "200", description = "A page of tasks")
    @ApiResponse(responseCode = "400", description = "Unknown state, a label without ':', limit out of range or a bad"
            + " cursor",
            content = @Content(mediaType = "application/problem+json", schema = @Schema(implementation = ProblemView.class)))
    TaskPage list(
            @Parameter(description = "Only tasks in this state", schema = @Schema(allowableValues = {"QUEUED",
                    "RUNNING", "SUCCEEDED", "FAILED", "CANCELLED", "TIMED_OUT"}))
            @RequestParam(required = false) String state,
            @Parameter(description = "Only tasks of this type") @RequestParam(required = false) String type,
            @Parameter(description = "Only the items of this batch") @RequestParam(required = false) String batchId,
            @Parameter(description = "Only tasks with this label, as key:value (split at the first ':'); repeat it"
                    + " for tasks that carry every one", array = @ArraySchema(schema = @Schema(example = "team:search")))
            @RequestParam(required = false) List<String> label,
            @Parameter(description = "Page size, 1 to 1000") @RequestParam(defaultValue = "100") @Min(1) @Max(1000)
            int limit,
            @Parameter(description = "nextCursor of the previous page") @RequestParam(required = false) String cursor) {
        List<Task> page = queries.list(new TaskQuery(parseState(state), type, parseBatchId(batchId), parseLabels(label),
                parseCursor(cursor), limit + 1, callers.current().scope()));
        boolean more = page.size() > limit;
        List<Task> items = more ? page.subList(0, limit) : page;
        String next = more ? encodeCursor(items.get(items.size() - 1).sequence()) : null;
        Map<UUID, List<TaskAttempt>> attempts = queries.attempts(items);
        return new TaskPage(items.stream().map(task -> TaskView.of(task, attempts.get(task.id()))).toList(), next);
    }

    @PostMapping("/{id}/cancel")
    @Operation(operationId = "cancelTask", summary = "Cancel a task",
            description = "A queued task is CANCELLED at once. A running one is asked"
            + " to stop; past taskpool.tasks.cancel-grace its worker process (and anything it started) is killed"
            + " and replaced. Answers when the task is CANCELLED.")
    @ApiResponse(responseCode = "200", description = "The task after cancelling")
    @ApiResponse(responseCode = "404", description = "No such task",
            content = @Content(mediaType = "application/problem+json", schema = @Schema(implementation = ProblemView.class)))
    @ApiResponse(responseCode = "409", description = "The task is already terminal",
            content = @Content(mediaType = "application/problem+json", schema = @Schema(implementation = ProblemView.class)))
    CompletableFuture<TaskView> cancel(@Parameter(description = "Task id", example = "0b7f6d3e-2c4a-4f7e-9a51-1f2d3c4b5a69") @PathVariable String id) {
        return tasks.cancel(parseId(id), callers.current()).thenApply(this::view);
    }

    @DeleteMapping("/{id}")
    @Operation(operationId = "deleteTask", summary = "Delete a finished task",
            description = "Removes the record of a terminal task.")
    @ApiResponse(responseCode = "204", description = "Deleted")
    @ApiResponse(responseCode = "404", description = "No such task",
            content = @Content(mediaType = "application/problem+json", schema = @Schema(implementation = ProblemView.class)))
    @ApiResponse(responseCode = "409", description = "The task is not terminal",
            content = @Content(mediaType = "application/problem+json", schema = @Schema(implementation = ProblemView.class)))
    ResponseEntity<Void> delete(@Parameter(description = "Task id", example = "0b7f6d3e-2c4a-4f7e-9a51-1f2d3c4b5a69") @PathVariable String id) {
        tasks.delete(parseId(id), callers.current());
        return ResponseEntity.noContent().build();
    }

    private TaskView view(Task task) {
        return TaskView.of(task, queries.attempts(List.of(task)).get(task.id()));
    }

    /** A malformed id names no task: 404, like any unknown id. */
    static UUID parseId(String id) {
        return ResourceIds.parse(id, TaskNotFoundException::new);
    }

    private static TaskState parseState(String state) {
        if (state == null || state.isEmpty()) {
            return null;
        }
        try {
            return TaskState.valueOf(state);
        } catch (IllegalArgumentException e) {
            throw new BadRequestException("state", "state must be one of " + Arrays.toString(TaskState.values())
                    + ", was '" + state + "'");
        }
    }

    private static UUID parseBatchId(String batchId) {
        if (batchId == null || batchId.isEmpty()) {
            return null;
        }
        try {
            return UUID.fromString(batchId);
        } catch (IllegalArgumentException e) {
            throw new BadRequestException("batchId", "batchId must be a batch id (a UUID), was '" + batchId + "'");
        }
    }

    private static Map<String, String> parseLabels(List<String> labels) {
        if (labels == null) {
            return Map.of();
        }
        Map<String, String> pairs = new java.util.HashMap<>();
        for (String label : labels) {
            int colon = label.indexOf(':');
            if (colon < 1) {
                throw new BadRequestException("label", "label must be key:value, was '" + label + "'");
            }
            String key = label.substring(0, colon);
            String value = label.substring(colon + 1);
            String earlier = pairs.putIfAbsent(key, value);
            if (earlier != null && !earlier.equals(value)) {
                throw new BadRequestException("label", "label '" + key + "' is given twice with different values");
            }
        }
        return pairs;
    }

    private static String encodeCursor(long sequence) {
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString(("seq:" + sequence).getBytes(StandardCharsets.UTF_8));
    }

    private static Long parseCursor(String cursor) {
        if (cursor == null || cursor.isEmpty()) {
            return null;
        }
        try {
            String text = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            if (!text.startsWith("seq:")) {
                throw new IllegalArgumentException();
            }
            return Long.parseLong(text.substring(4));
        } catch (IllegalArgumentException e) {
            throw new BadRequestException("cursor", "cursor is not one this service handed out; pass nextCursor"
                    + " from the previous page as it is");
        }
    }
}
