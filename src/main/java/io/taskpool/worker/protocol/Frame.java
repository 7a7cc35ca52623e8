package io.taskpool.worker.protocol;

import java.util.List;

/**
 * Every message parent and worker exchange over the worker's stdin (parent to worker) and stdout
 * (worker to parent). {@link FrameCodec} puts each one on the wire as one length-prefixed frame.
 *
 * <p>Rules both sides keep:
 * <ul>
 *   <li>{@link Hello} is the worker's first frame; the parent sends nothing before it.</li>
 *   <li>Every {@link Run} gets exactly one terminal reply, {@link Result} or {@link Failed}, with
 *       its {@code requestId}; {@link Ack} comes first, when the handler starts.</li>
 *   <li>{@link Cancel} reuses the request id of the {@link Run} it cancels; a cancel of a request
 *       that already ended is ignored.</li>
 *   <li>The worker sends {@link Heartbeat} every few seconds, busy or not, so a worker whose JVM
 *       is stuck can be told from one whose handler is merely slow.</li>
 *   <li>End of file on its stdin tells the worker that the parent is gone: it exits at once.</li>
 * </ul>
 */
public sealed interface Frame {

    /** Bumped on any change of the wire format; a worker that says another version is refused. */
    int PROTOCOL_VERSION = 2;

    // ---- parent to worker ----

    /** Run one task. {@code inputJson} is the task's input object as JSON text. */
    record Run(long requestId, String taskId, String type, String inputJson) implements Frame {}

    /** Ask the running request to stop; the worker answers with {@link Failed} (CANCELLED). */
    record Cancel(long requestId) implements Frame {}

    /** Finish the current work and exit with status 0 (recycling and orderly shutdown). */
    record Shutdown() implements Frame {}

    // ---- worker to parent ----

    /** The worker's first frame: who it is and which task types its class path offers. */
    record Hello(int protocolVersion, long pid, List<TaskType> types) implements Frame {}

    /**
     * A task type as a worker announces it; {@code inputSchema} is the JSON Schema of its input
     * as JSON text, or null when it accepts any input object (since version 2).
     */
    record TaskType(String type, String description, String inputSchema) {}

    /** The handler for {@code requestId} has started. */
    record Ack(long requestId) implements Frame {}

    /** The handler reported progress ({@code fraction} in 0..1, {@code message} may be null). */
    record Progress(long requestId, double fraction, String message) implements Frame {}

    /**
     * A line the handler logged for {@code requestId} (a program's stderr line, or
     * {@code TaskContext.log}), without its line break, at most 8 KiB. Never sent after the
     * request's terminal reply.
     */
    record Log(long requestId, String text) implements Frame {}

    /** The handler returned; {@code resultJson} is its value as JSON text. */
    record Result(long requestId, String resultJson) implements Frame {}

    /**
     * The request ended without a result. {@code errorType} is the exception's class name and
     * {@code stackTrace} its printed stack (both empty for cancellation).
     */
    record Failed(long requestId, FailureKind kind, String errorType, String message, String stackTrace)
            implements Frame {}

    /** Why a request ended without a result, as far as the worker can tell. */
    enum FailureKind {
        /** The handler threw. */
        TASK_ERROR,
        /** The handler stopped because of a {@link Cancel}. */
        CANCELLED,
        /** The handler returned a value whose JSON exceeds the frame size limit. */
        RESULT_TOO_LARGE
    }

    /** The worker is alive. */
    record Heartbeat() implements Frame {}
}
