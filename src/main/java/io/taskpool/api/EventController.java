package io.taskpool.api;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.taskpool.task.Caller;
import io.taskpool.task.Task;
import io.taskpool.task.TaskEvents;
import io.taskpool.task.TaskEvents.TaskEvent;
import io.taskpool.task.TaskQueries;
import java.io.IOException;
import java.time.Clock;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * Server-sent event streams of tasks' state changes and progress: one task's
 * ({@code /api/v1/tasks/{id}/events}), or every task's ({@code /api/v1/events}). The events come
 * from {@link TaskEvents}, whose threads write them; a stream that falls behind is closed.
 */
@RestController
@Tag(name = "Events", description = "Follow tasks as server-sent events")
class EventController {

    /** Streams stay open until their task ends or the client leaves; the servlet container never times them out. */
    private static final long NO_TIMEOUT = 0L;
    private static final String EVENT_STREAM_DESCRIPTION = "Server-sent events: 'state' when a task enters a state,"
            + " 'progress' when a running task reports progress (at most every 250 ms); the data is a TaskEvent"
            + " as JSON.";
    private static final String EVENT_STREAM_SCHEMA = "A text/event-stream: each event is an 'event:' line naming its"
            + " kind ('state' or 'progress') and a 'data:' line holding one JSON object with taskId, type (null on"
            + " rare events that carry the id only), state (RUNNING on progress events), progress (a TaskProgress"
            + " on progress events, else null), batchId and batchIndex (null unless the task is a batch item),"
            + " attempt, errorCode (set on a terminal state other than SUCCEEDED) and at (UTC). Lines starting"
            + " with ':' are comments.";
    private static final String EVENT_STREAM_EXAMPLE = "event:state\ndata:{\"taskId\":\"0b7f6d3e-2c4a-4f7e-9a51-"
            + "1f2d3c4b5a69\",\"type\":\"primes.count\",\"state\":\"RUNNING\",\"progress\":null,\"batchId\":null,"
            + "\"batchIndex\":null,\"attempt\":1,\"errorCode\":null,\"at\":\"2026-01-01T12:00:00.120Z\"}\n\n"
            + "event:progress\ndata:{\"taskId\":\"0b7f6d3e-2c4a-4f7e-9a51-1f2d3c4b5a69\",\"type\":\"primes.count\","
            + "\"state\":\"RUNNING\",\"progress\":{\"fraction\":0.25,\"message\":\"sieving segment 3 of 12\"},"
            + "\"batchId\":null,\"batchIndex\":null,\"attempt\":1,\"errorCode\":null,\"at\":\"2026-01-01T12:00:00."
            + "370Z\"}\n\n";

    private final TaskQueries tasks;
    private final Callers callers;
    private final TaskEvents events;
    private final Clock clock;
    private final int maxStreams;
    private final AtomicInteger open = new AtomicInteger();

    EventController(TaskQueries tasks, Callers callers, TaskEvents events, Clock clock, ApiProperties api) {
        this.tasks = tasks;
        this.callers = callers;
        this.events = events;
        this.clock = clock;
        this.maxStreams = api.maxEventStreams();
    }

    @GetMapping(path = "/api/v1/tasks/{id}/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    @Operation(operationId = "streamTaskEvents", summary = "Follow a task's events",
            description = EVENT_STREAM_DESCRIPTION + " The first event is"
            + " the task's current state; the stream ends after its terminal state, at once if the task has ended"
            + " already. A state may come twice. A client that reads too slowly is disconnected.")
    @ApiResponse(responseCode = "200", description = "The event stream", content = @Content(
            mediaType = MediaType.TEXT_EVENT_STREAM_VALUE, schema = @Schema(types = "string",
            description = EVENT_STREAM_SCHEMA), examples = @ExampleObject(name = "events", value = EVENT_STREAM_EXAMPLE)))
    @ApiResponse(responseCode = "404", description = "No such task",
            content = @Content(mediaType = "application/problem+json", schema = @Schema(implementation = ProblemView.class)))
    @ApiResponse(responseCode = "429", description = "taskpool.api.max-event-streams streams are open",
            content = @Content(mediaType = "application/problem+json", schema = @Schema(implementation = ProblemView.class)))
    SseEmitter taskEvents(@Parameter(description = "Task id", example = "0b7f6d3e-2c4a-4f7e-9a51-1f2d3c4b5a69")
            @PathVariable String id) {
        UUID taskId = TaskController.parseId(id);
        Caller caller = callers.current();
        Stream stream = open(true, caller);
        // Subscribed before the task is read, so that no change between the two is missed.
        TaskEvents.Subscription subscription = events.subscribe(taskId, stream);
        Task task;
        try {
            task = tasks.get(taskId, caller);
        } catch (RuntimeException e) {
            subscription.close();
            stream.release();
            throw e;
        }
        stream.start(subscription, TaskEvent.current(task, clock.instant()));
        return stream.emitter;
    }

    @GetMapping(path = "/api/v1/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    @Operation(operationId = "streamEvents", summary = "Follow every task's events",
            description = EVENT_STREAM_DESCRIPTION + " Every task's"
            + " events from the moment of connecting, for dashboards; the stream does not end on its own. A client"
            + " that reads too slowly is disconnected rather than slowing the service.")
    @ApiResponse(responseCode = "200", description = "The event stream", content = @Content(
            mediaType = MediaType.TEXT_EVENT_STREAM_VALUE, schema = @Schema(types = "string",
            description = EVENT_STREAM_SCHEMA), examples = @ExampleObject(name = "events", value = EVENT_STREAM_EXAMPLE)))
    @ApiResponse(responseCode = "429", description = "taskpool.api.max-event-streams streams are open",
            content = @Content(mediaType = "application/problem+json", schema = @Schema(implementation = ProblemView.class)))
    SseEmitter allEvents() throws IOException {
        Stream stream = open(false, callers.current());
        TaskEvents.Subscription subscription = events.subscribe(null, stream);
        // A comment, so that the response starts now: a client knows it is subscribed before any task event.
        try {
            stream.emitter.send(SseEmitter.event().comment("subscribed to every task's events"));
        } catch (IOException | RuntimeException e) {
            subscription.close();
            stream.release();
            throw e;
        }
        stream.start(subscription, null);
        return stream.emitter;
    }

    private Stream open(boolean endsWithTask, Caller caller) {
        if (open.incrementAndGet() > maxStreams) {
            open.decrementAndGet();
            throw new TooManyStreamsException(maxStreams + " event streams are open (taskpool.api.max-event-streams);"
                    + " retry later, or follow tasks with GET /api/v1/tasks/{id}?waitMs=");
        }
        return new Stream(endsWithTask, caller);
    }

    /** One client's stream: writes the events it is given and ends with its task, its client, or a drop. */
    private final class Stream implements TaskEvents.Listener {
        final SseEmitter emitter = new SseEmitter(NO_TIMEOUT);
        private final boolean endsWithTask;
        private final Caller caller;
        private final AtomicBoolean released = new AtomicBoolean();
        private volatile TaskEvents.Subscription subscription;

        Stream(boolean endsWithTask, Caller caller) {
            this.endsWithTask = endsWithTask;
            this.caller = caller;
        }

        void start(TaskEvents.Subscription subscription, TaskEvent first) {
            this.subscription = subscription;
            Runnable end = () -> {
                subscription.close();
                release();
            };
            emitter.onCompletion(end);
            emitter.onTimeout(end);
            emitter.onError(error -> end.run());
            subscription.start(first);
        }

        void release() {
            if (released.compareAndSet(false, true)) {
                open.decrementAndGet();
            }
        }

        @Override
        public void onEvent(TaskEvent event) throws IOException {
            if (!caller.sees(event.tenant())) {
                return; // another tenant's task: a caller never learns it exists
            }
            emitter.send(SseEmitter.event().name(TaskEventView.name(event))
                    .data(TaskEventView.of(event), MediaType.APPLICATION_JSON));
            if (endsWithTask && event.isTerminal()) {
                subscription.close();
                emitter.complete();
            }
        }

        @Override
        public void onDropped() {
            emitter.complete();
        }
    }
}
