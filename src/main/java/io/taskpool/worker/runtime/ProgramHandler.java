package io.taskpool.worker.runtime;

import io.taskpool.spi.TaskContext;
import io.taskpool.spi.TaskHandler;
import io.taskpool.spi.TaskInput;
import java.util.function.Function;
import java.util.function.Consumer;

/**
 * The handler of one program task type: each task is one {@link ProgramRun} of the configured
 * program, with the task's input on its stdin and its result on its stdout.
 */
final class ProgramHandler implements TaskHandler {

    private final ProgramSpec spec;
    private final long maxResultBytes;
    private final Function<String, Consumer<String>> logs;

    /**
     * @param logs where the log lines of the program's stderr go, given the task's id; the
     *     worker's stderr (the service log) for now, a per-task log later
     */
    ProgramHandler(ProgramSpec spec, long maxResultBytes, Function<String, Consumer<String>> logs) {
        this.spec = spec;
        this.maxResultBytes = maxResultBytes;
        this.logs = logs;
    }

    /** Log lines go to the worker's stderr, which the service copies into its log. */
    static Consumer<String> toWorkerStderr(String type, String taskId) {
        String prefix = "[program " + type + ", task " + taskId + "] ";
        return line -> System.err.println(prefix + line);
    }

    @Override
    public String type() {
        return spec.type();
    }

    @Override
    public String description() {
        return spec.description();
    }

    @Override
    public String inputSchema() {
        return spec.inputSchema();
    }

    @Override
    public Object run(TaskInput input, TaskContext context) throws Exception {
        return new ProgramRun(spec, maxResultBytes, logs.apply(context.taskId()))
                .run(Json.write(input.asMap()), context);
    }
}
