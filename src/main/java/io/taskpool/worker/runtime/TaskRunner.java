package io.taskpool.worker.runtime;

import io.taskpool.spi.TaskContext;
import io.taskpool.spi.TaskHandler;
import io.taskpool.spi.TaskInput;
import io.taskpool.worker.protocol.Frame.Ack;
import io.taskpool.worker.protocol.Frame.Failed;
import io.taskpool.worker.protocol.Frame.FailureKind;
import io.taskpool.worker.protocol.Frame.Log;
import io.taskpool.worker.protocol.Frame.Progress;
import io.taskpool.worker.protocol.Frame.Result;
import io.taskpool.worker.protocol.Frame.Run;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Runs one task at a time on its own thread ({@code task-runner}), so the command reader stays
 * free to receive a {@code Cancel} while a handler computes.
 */
final class TaskRunner {

    /** Stack traces are for people; past this they are noise and cost frame space. */
    private static final int MAX_STACK_TRACE_CHARS = 16_000;
    /** Progress is advisory: at most one frame per this interval, the rest are dropped. */
    private static final long PROGRESS_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    /** Exception messages past this are cut, so that a failure always fits in its frame. */
    private static final int MAX_MESSAGE_CHARS = 8_000;
    /**
     * Log lines past this are cut: a line always fits in a frame, and a handler that never ends
     * its lines still sends many small frames rather than one that blocks heartbeats.
     */
    static final int MAX_LOG_LINE_CHARS = 8_192;

    private final HandlerRegistry handlers;
    private final FrameWriter writer;
    private final long maxResultBytes;
    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> new Thread(r, "task-runner"));
    private volatile RunningTask current;
    /**
     * Cancels that came before their task started on our thread: the parent sends a batch's chunk
     * in one go and may cancel any item of it before its turn.
     */
    private final Set<Long> cancelledEarly = ConcurrentHashMap.newKeySet();

    TaskRunner(HandlerRegistry handlers, FrameWriter writer, long maxResultBytes) {
        this.handlers = handlers;
        this.writer = writer;
        this.maxResultBytes = maxResultBytes;
    }

    void start(Run run) {
        thread.execute(() -> execute(run));
    }

    void cancel(long requestId) {
        RunningTask task = current;
        if (task != null && task.requestId == requestId) {
            task.cancelled = true;
            task.thread.interrupt();
        } else {
            cancelledEarly.add(requestId);
        }
    }

    /** Waits for the task in progress (if any) to end; used before an orderly exit. */
    void awaitIdle() throws InterruptedException {
        thread.shutdown();
        thread.awaitTermination(Long.MAX_VALUE, TimeUnit.DAYS);
    }

    private void execute(Run run) {
        RunningTask task = new RunningTask(run, Thread.currentThread());
        current = task;
        if (cancelledEarly.remove(run.requestId())) {
            task.cancelled = true;
        }
        writer.send(new Ack(run.requestId()));
        try {
            io.taskpool.worker.protocol.Frame outcome = outcome(task);
            task.end(); // no log line may follow the terminal reply
            try {
                writer.send(outcome);
            } catch (IllegalArgumentException tooLarge) {
                // Every Run gets its one reply, even when the real one cannot be encoded.
                writer.send(new Failed(run.requestId(), FailureKind.TASK_ERROR, "UnreportableOutcome",
                        "the task's outcome could not be sent: " + cut(tooLarge.getMessage()), ""));
            }
        } finally {
            current = null;
            Thread.interrupted(); // a late cancel must not leak into the next task
        }
    }

    private io.taskpool.worker.protocol.Frame outcome(RunningTask task) {
        Run run = task.run;
        TaskHandler handler = handlers.find(run.type());
        if (handler == null) {
            return new Failed(run.requestId(), FailureKind.TASK_ERROR, "UnknownTaskType",
                    "this worker has no handler for task type '" + run.type() + "'", "");
        }
        if (task.cancelled) {
            return cancelled(run); // cancelled while it waited behind others of its chunk
        }
        Object value;
        try {
            value = handler.run(new TaskInput(Json.parseObject(run.inputJson())), task);
        } catch (Throwable e) {
            if (task.cancelled) {
                return cancelled(run);
            }
            if (e instanceof ReportedFailure reported) {
                return new Failed(run.requestId(), reported.kind(), reported.errorType(), cut(reported.getMessage()),
                        "");
            }
            return new Failed(run.requestId(), FailureKind.TASK_ERROR, e.getClass().getName(),
                    cut(String.valueOf(e.getMessage())), stackTrace(e));
        }
        if (task.cancelled) {
            return cancelled(run);
        }
        String json;
        try {
            json = Json.write(value);
        } catch (RuntimeException e) {
            return new Failed(run.requestId(), FailureKind.TASK_ERROR, e.getClass().getName(),
                    "the handler returned a value that is not JSON: " + cut(e.getMessage()), stackTrace(e));
        }
        int bytes = json.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > maxResultBytes) {
            return new Failed(run.requestId(), FailureKind.RESULT_TOO_LARGE, "ResultTooLarge",
                    "result of " + bytes + " bytes exceeds the limit of " + maxResultBytes + " bytes", "");
        }
        return new Result(run.requestId(), json);
    }

    private static Failed cancelled(Run run) {
        return new Failed(run.requestId(), FailureKind.CANCELLED, "", "cancelled", "");
    }

    private static String cut(String text) {
        return text == null || text.length() <= MAX_MESSAGE_CHARS ? text : text.substring(0, MAX_MESSAGE_CHARS) + "...";
    }

    private static String stackTrace(Throwable e) {
        StringWriter text = new StringWriter();
        e.printStackTrace(new PrintWriter(text));
        String trace = text.toString();
        return trace.length() <= MAX_STACK_TRACE_CHARS ? trace : trace.substring(0, MAX_STACK_TRACE_CHARS) + "\n\t...";
    }

    /** The handler's view of its task. */
    private final class RunningTask implements TaskContext {
        final Run run;
        final long requestId;
        final Thread thread;
        volatile boolean cancelled;
        /** Guarded by this: set before the terminal reply, after which nothing is logged. */
        private boolean ended;
        private long lastProgressNanos = System.nanoTime() - PROGRESS_INTERVAL_NANOS;

        RunningTask(Run run, Thread thread) {
            this.run = run;
            this.requestId = run.requestId();
            this.thread = thread;
        }

        @Override
        public String taskId() {
            return run.taskId();
        }

        @Override
        public boolean isCancelled() {
            return cancelled;
        }

        @Override
        public void progress(double fraction, String message) {
            long now = System.nanoTime();
            if (now - lastProgressNanos < PROGRESS_INTERVAL_NANOS) {
                return;
            }
            lastProgressNanos = now;
            double clamped = Double.isNaN(fraction) ? 0 : Math.max(0, Math.min(1, fraction));
            String shortMessage = message == null || message.length() <= 500 ? message : message.substring(0, 500);
            writer.send(new Progress(requestId, clamped, shortMessage));
        }

        /**
         * Sent at once, one frame per line: the service keeps the task's log and its bound. A
         * handler's other threads may log too; a line that comes after the task ended is dropped,
         * since a frame for a request the worker no longer runs would break the protocol.
         */
        @Override
        public synchronized void log(String line) {
            if (ended) {
                return;
            }
            String text = String.valueOf(line);
            writer.send(new Log(requestId, text.length() <= MAX_LOG_LINE_CHARS ? text
                    : text.substring(0, MAX_LOG_LINE_CHARS)));
        }

        synchronized void end() {
            ended = true;
        }
    }
}
