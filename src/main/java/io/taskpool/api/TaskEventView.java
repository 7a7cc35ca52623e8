package io.taskpool.api;

import io.swagger.v3.oas.annotations.media.Schema;
import io.taskpool.task.TaskEvents.Kind;
import io.taskpool.task.TaskEvents.TaskEvent;
import java.time.Instant;
import java.util.UUID;

/** The data of one server-sent event: a task's state change ({@code state}) or progress ({@code progress}). */
@Schema(name = "TaskEvent", description = "A task entered a state (SSE event 'state') or reported progress"
        + " (SSE event 'progress')")
record TaskEventView(
        UUID taskId,
        @Schema(nullable = true, description = "The task type; null on the rare events published with the id only")
        String type,
        @Schema(description = "The task's state; RUNNING for progress events",
                allowableValues = {"QUEUED", "RUNNING", "SUCCEEDED", "FAILED", "CANCELLED", "TIMED_OUT"})
        String state,
        @Schema(nullable = true, description = "The progress reported; set on progress events")
        TaskView.ProgressView progress,
        @Schema(nullable = true) UUID batchId,
        @Schema(nullable = true) Integer batchIndex,
        int attempt,
        @Schema(nullable = true, description = "The error code of a terminal state other than SUCCEEDED",
                example = "TASK_FAILED")
        String errorCode,
        Instant at) {

    static final String STATE = "state";
    static final String PROGRESS = "progress";

    static TaskEventView of(TaskEvent event) {
        boolean progress = event.kind() == Kind.PROGRESS && event.progress() != null;
        return new TaskEventView(event.taskId(), event.type(), event.state().name(),
                progress ? new TaskView.ProgressView(event.progress().fraction(), event.progress().message()) : null,
                event.batchId(), event.batchIndex(), event.attempt(), event.errorCode(), event.at());
    }

    /** The SSE event name. */
    static String name(TaskEvent event) {
        return event.kind() == Kind.PROGRESS ? PROGRESS : STATE;
    }
}
