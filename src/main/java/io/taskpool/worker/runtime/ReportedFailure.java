package io.taskpool.worker.runtime;

import io.taskpool.worker.protocol.Frame.FailureKind;

/**
 * A failure that a handler of the worker itself describes completely: {@link TaskRunner} sends
 * its kind, name and message to the service as they are, with no stack trace, since the stack of
 * the worker's own code would explain nothing about, say, a program's exit code.
 */
final class ReportedFailure extends Exception {

    private static final long serialVersionUID = 1L;

    private final FailureKind kind;
    private final String errorType;

    ReportedFailure(FailureKind kind, String errorType, String message) {
        super(message, null, false, false);
        this.kind = kind;
        this.errorType = errorType;
    }

    /** The program's output was larger than {@code taskpool.tasks.max-result}. */
    static ReportedFailure resultTooLarge(String message) {
        return new ReportedFailure(FailureKind.RESULT_TOO_LARGE, "ResultTooLarge", message);
    }

    /** The program ran and failed; {@code TASK_FAILED} on the API. */
    static ReportedFailure programFailed(String message) {
        return new ReportedFailure(FailureKind.TASK_ERROR, "ProgramFailed", message);
    }

    FailureKind kind() {
        return kind;
    }

    String errorType() {
        return errorType;
    }
}
