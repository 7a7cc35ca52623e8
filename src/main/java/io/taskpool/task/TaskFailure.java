package io.taskpool.task;

/**
 * Why a task ended without a result: a closed set, each with the code clients see in
 * {@code error.code} and the state the task ends in.
 */
public sealed interface TaskFailure {

    /** The stable code in the API's {@code error.code}. */
    String code();

    /** A human-readable, specific message. */
    String message();

    /** Longer diagnostic text (stack trace, stderr tail), or null. */
    default String detail() {
        return null;
    }

    /** Diagnostic text, or null when there is none: an empty stderr explains nothing. */
    private static String nonEmpty(String text) {
        return text == null || text.isEmpty() ? null : text;
    }

    /** The terminal state a task with this failure ends in. */
    default TaskState state() {
        return TaskState.FAILED;
    }

    /**
     * Whether {@code task} may run again after this failure, while it has attempts left: a
     * handler's exception, a crashed worker or one out of memory may go better next time; a
     * time-out only when the task asked for it; a cancel, a protocol violation or an oversized
     * result never. (A run lost with its node is re-queued by recovery, not by this rule.)
     */
    default boolean retryable(Task task) {
        return false;
    }

    /** The handler threw: {@code type} is the exception class. */
    record TaskError(String type, String reason, String stackTrace) implements TaskFailure {
        public String code() {
            return "TASK_FAILED";
        }

        public boolean retryable(Task task) {
            return true;
        }

        public String message() {
            return type + ": " + reason;
        }

        public String detail() {
            return nonEmpty(stackTrace);
        }
    }

    /** The worker process died while running the task. */
    record WorkerCrashed(String reason, String stderrTail) implements TaskFailure {
        public String code() {
            return "WORKER_CRASHED";
        }

        public boolean retryable(Task task) {
            return true;
        }

        public String message() {
            return reason;
        }

        public String detail() {
            return nonEmpty(stderrTail);
        }
    }

    /**
     * The run was cut short by the loss of its node (the service died, or its replica's lease ran
     * out), which is not the task's fault: recorded as an attempt, it runs again without counting
     * against {@code maxAttempts}, unless it keeps being interrupted.
     */
    record NodeLost(String reason) implements TaskFailure {
        public String code() {
            return "NODE_LOST";
        }

        public String message() {
            return reason;
        }

        /** The failure of a task interrupted once too often. */
        public NodeLost exhausted(int interruptions, int maxInterruptions) {
            return new NodeLost(reason + "; the task was interrupted " + interruptions + " times, more than"
                    + " taskpool.tasks.max-interruptions (" + maxInterruptions + ") allows, so it is not run again");
        }
    }

    /** The worker ran out of heap and exited. */
    record OutOfMemory(String heap, String stderrTail) implements TaskFailure {
        public String code() {
            return "OUT_OF_MEMORY";
        }

        public boolean retryable(Task task) {
            return true;
        }

        public String message() {
            return "the worker ran out of memory (heap limit " + heap + ", taskpool.workers.max-heap)";
        }

        public String detail() {
            return nonEmpty(stderrTail);
        }
    }

    /** The task ran past its time limit; its worker was killed. */
    record TimedOut(long timeoutMs) implements TaskFailure {
        public String code() {
            return "TIMED_OUT";
        }

        public String message() {
            return "the task ran longer than its timeout of " + timeoutMs + " ms and its worker was killed";
        }

        public TaskState state() {
            return TaskState.TIMED_OUT;
        }

        public boolean retryable(Task task) {
            return task.retryOnTimeout();
        }
    }

    /** A client cancelled the task. */
    record Cancelled(String how) implements TaskFailure {
        public String code() {
            return "CANCELLED";
        }

        public String message() {
            return how;
        }

        public TaskState state() {
            return TaskState.CANCELLED;
        }
    }

    /** The worker wrote something that is not a valid frame; it was killed. */
    record ProtocolViolation(String reason) implements TaskFailure {
        public String code() {
            return "WORKER_PROTOCOL_ERROR";
        }

        public String message() {
            return "the worker broke the frame protocol and was replaced: " + reason;
        }
    }

    /** The handler's result is larger than a frame may carry. */
    record ResultTooLarge(String reason) implements TaskFailure {
        public String code() {
            return "RESULT_TOO_LARGE";
        }

        public String message() {
            return reason;
        }
    }
}
