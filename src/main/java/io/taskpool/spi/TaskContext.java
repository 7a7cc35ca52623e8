package io.taskpool.spi;

/** What a running handler may ask of, or tell, the worker that runs it. */
public interface TaskContext {

    /** The id of the task being run, as the API shows it. */
    String taskId();

    /** True once the task was cancelled; the handler should stop soon after. */
    boolean isCancelled();

    /**
     * Reports progress: {@code fraction} between 0 and 1, and a short human-readable message
     * (may be {@code null}). Cheap to call often; the worker forwards at most a few updates a
     * second.
     */
    void progress(double fraction, String message);

    /**
     * Adds a line to the task's log, which the API serves at {@code GET /api/v1/tasks/{id}/logs}
     * (the last {@code taskpool.tasks.max-log} of it is kept). Lines longer than 8 KiB are cut.
     * The default, for contexts that keep no log, prints the line on stderr.
     */
    default void log(String line) {
        System.err.println(line);
    }
}
