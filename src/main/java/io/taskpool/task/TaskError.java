package io.taskpool.task;

/** A failure as stored and shown: {@code code}, {@code message} and optional {@code detail}. */
public record TaskError(String code, String message, String detail) {

    public static TaskError of(TaskFailure failure) {
        return new TaskError(failure.code(), failure.message(), failure.detail());
    }
}
