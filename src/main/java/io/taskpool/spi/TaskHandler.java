package io.taskpool.spi;

/**
 * One task type, run inside a worker process.
 *
 * <p>Implementations are discovered with {@link java.util.ServiceLoader}: list the class in
 * {@code META-INF/services/io.taskpool.spi.TaskHandler} of a jar on the workers' class path. A
 * worker runs one task at a time, so a handler needs no thread safety of its own, but it must be
 * stateless between tasks: the worker may be recycled at any point between two runs.
 */
public interface TaskHandler {

    /** The task type clients name in {@code "type"}, e.g. {@code primes.count}. */
    String type();

    /** One line for {@code GET /api/v1/task-types}. */
    String description();

    /**
     * A JSON Schema (draft 2020-12 unless it names another with {@code $schema}) of the input
     * this type accepts, as JSON text, or {@code null} to accept any input object. The service
     * checks each input against it when the task is submitted and refuses one that does not
     * match, naming the failing field, so bad input never waits in the queue. It is shown as
     * {@code inputSchema} by {@code GET /api/v1/task-types}. A schema is a promise to clients,
     * not a replacement for the handler's own checks: keep both in step.
     */
    default String inputSchema() {
        return null;
    }

    /**
     * Runs one task and returns its result: a {@code Map}, {@code List}, {@code String},
     * {@code Number}, {@code Boolean} or {@code null}, nested freely; it becomes the task's
     * {@code result} JSON.
     *
     * <p>Throw {@link InvalidInputException} for bad input (its message should name the field);
     * any other exception fails the task with its class name and message. A long computation
     * should check {@link TaskContext#isCancelled()} now and then and return early when it is set;
     * the runner thread is also interrupted on cancel.
     */
    Object run(TaskInput input, TaskContext context) throws Exception;
}
