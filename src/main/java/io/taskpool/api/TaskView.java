package io.taskpool.api;

import com.fasterxml.jackson.annotation.JsonRawValue;
import io.swagger.v3.oas.annotations.media.Schema;
import io.taskpool.task.Task;
import io.taskpool.task.TaskAttempt;
import io.taskpool.task.TaskState;
import io.taskpool.task.TaskError;
import io.taskpool.task.TaskProgress;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** A task as the API shows it. */
@Schema(name = "Task", description = "A task and everything known about it")
record TaskView(
        @Schema(description = "Task id", example = "0b7f6d3e-2c4a-4f7e-9a51-1f2d3c4b5a69") String id,
        @Schema(description = "Task type", example = "primes.count") String type,
        @Schema(description = "Where the task is in its life", example = "SUCCEEDED",
                allowableValues = {"QUEUED", "RUNNING", "SUCCEEDED", "FAILED", "CANCELLED", "TIMED_OUT"})
        String state,
        @Schema(types = "object", description = "The input object, as submitted", example = "{\"below\": 1000000}")
        @JsonRawValue String input,
        @Schema(types = {"object", "null"}, description = "The handler's result, once SUCCEEDED",
                example = "{\"count\": 78498}")
        @JsonRawValue String result,
        @Schema(nullable = true, description = "Why the task did not succeed") ErrorView error,
        @Schema(nullable = true, description = "The last progress the handler reported") ProgressView progress,
        @Schema(description = "Higher runs first", example = "0") int priority,
        @Schema(description = "Time limit of one run, in milliseconds", example = "60000") long timeoutMs,
        @Schema(description = "Which run this is (1 for the first). Runs lost to the death of the service or"
                + " of its replica (NODE_LOST in attempts) are numbered too, but do not count against maxAttempts",
                example = "1") int attempt,
        @Schema(description = "How many runs the task may have in all", example = "3") int maxAttempts,
        @Schema(nullable = true, description = "While a failed task waits for its next attempt: not before this"
                + " time (UTC)") Instant notBefore,
        @Schema(description = "Every finished attempt, oldest first") List<AttemptView> attempts,
        @Schema(description = "Free-form labels", example = "{\"team\": \"search\"}") Map<String, String> labels,
        @Schema(description = "When the task was accepted (UTC)") Instant createdAt,
        @Schema(nullable = true, description = "When the current run was claimed (UTC)") Instant startedAt,
        @Schema(nullable = true, description = "When the task reached a terminal state (UTC)") Instant finishedAt,
        @Schema(nullable = true, description = "The worker process running or last running the task", example = "4242")
        Long workerPid,
        @Schema(nullable = true, description = "The batch this task is an item of", example = "5d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d")
        String batchId,
        @Schema(nullable = true, description = "Position of this item in its batch's inputs, from 0", example = "0")
        Integer index,
        @Schema(description = "The tenant that submitted the task ('default' while no API keys are configured)",
                example = "acme") String tenant) {

    /** Why a task did not succeed. */
    @Schema(name = "TaskError", description = "Why a task did not succeed")
    record ErrorView(
            @Schema(description = "Stable code", example = "TASK_FAILED", allowableValues = {"TASK_FAILED",
                    "WORKER_CRASHED", "OUT_OF_MEMORY", "TIMED_OUT", "CANCELLED", "WORKER_PROTOCOL_ERROR",
                    "RESULT_TOO_LARGE", "NODE_LOST"}) String code,
            @Schema(description = "What happened", example = "io.taskpool.spi.InvalidInputException: input field"
                    + " 'below' must be an integer") String message,
            @Schema(nullable = true, description = "Diagnostics: the handler's stack trace or the worker's last"
                    + " stderr lines") String detail) {}

    /** One finished attempt. */
    @Schema(name = "TaskAttempt", description = "One finished run of a task")
    record AttemptView(
            @Schema(description = "Which run it was", example = "1") int attempt,
            @Schema(nullable = true, description = "When it was claimed (UTC)") Instant startedAt,
            @Schema(description = "When it ended (UTC)") Instant finishedAt,
            @Schema(nullable = true, description = "The worker process that ran it", example = "4242") Long workerPid,
            @Schema(nullable = true, description = "How it failed; null for the run that succeeded")
            AttemptErrorView error) {}

    /** How an attempt failed. */
    @Schema(name = "TaskAttemptError", description = "How an attempt failed")
    record AttemptErrorView(
            @Schema(description = "Stable code", example = "TASK_FAILED") String code,
            @Schema(description = "What happened", example = "java.lang.IllegalStateException: backend busy")
            String message) {}

    /** Progress reported by the handler. */
    @Schema(name = "TaskProgress", description = "Progress reported by the running handler")
    record ProgressView(
            @Schema(description = "Done so far, 0 to 1", example = "0.25") double fraction,
            @Schema(nullable = true, description = "What the handler is doing", example = "sieving segment 3 of 12")
            String message) {}

    static TaskView of(Task task, List<TaskAttempt> attempts) {
        TaskError error = task.error();
        TaskProgress progress = task.progress();
        return new TaskView(task.id().toString(), task.type(), task.state().name(), task.inputJson(),
                task.resultJson(),
                error == null ? null : new ErrorView(error.code(), error.message(), error.detail()),
                progress == null ? null : new ProgressView(progress.fraction(), progress.message()),
                task.priority(), task.timeoutMs(), task.attempt(), task.maxAttempts(),
                task.state() == TaskState.QUEUED ? task.notBefore() : null,
                attempts.stream().map(TaskView::attempt).toList(), task.labels(), task.createdAt(), task.startedAt(),
                task.finishedAt(), task.workerPid(), task.batchId() == null ? null : task.batchId().toString(),
                task.batchIndex(), task.tenant());
    }

    private static AttemptView attempt(TaskAttempt attempt) {
        TaskError error = attempt.error();
        return new AttemptView(attempt.attempt(), attempt.startedAt(), attempt.finishedAt(), attempt.workerPid(),
                error == null ? null : new AttemptErrorView(error.code(), error.message()));
    }
}
