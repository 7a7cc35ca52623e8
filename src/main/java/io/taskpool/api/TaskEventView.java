package io.taskpool.api;

import io.taskpool.task.TaskEvents.Kind;
import io.taskpool.task.TaskEvents.TaskEvent;
import java.time.Instant;
import java.util.UUID;

/**
 * The data of one server-sent event: a task's state change ({@code state}) or progress ({@code progress}).
 * The spec describes it in prose, as an event stream is text (see {@link EventController}).
 *
 * @param type null on the rare events published with the id only
 * @param state RUNNING for progress events
 * @param progress set on progress events
 * @param errorCode the error code of a terminal state other than SUCCEEDED
 */
record TaskEventView(UUID taskId, String type, String state, TaskView.ProgressView progress, UUID batchId,
        Integer batchIndex, int attempt, String errorCode, Instant at) {

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
