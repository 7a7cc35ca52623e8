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
