package io.taskpool.worker.runtime;

import io.taskpool.spi.TaskContext;
import io.taskpool.spi.TaskHandler;
import io.taskpool.spi.TaskInput;

/**
 * The handler of one program task type: each task is one {@link ProgramRun} of the configured
 * program, with the task's input on its stdin and its result on its stdout.
 */
final class ProgramHandler implements TaskHandler {

    private final ProgramSpec spec;
    private final long maxResultBytes;

    ProgramHandler(ProgramSpec spec, long maxResultBytes) {
        this.spec = spec;
        this.maxResultBytes = maxResultBytes;
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
        // The program's stderr lines that are not progress go to the task's log only, not to the
        // service log: a chatty program would drown the service's own messages, and a failed
        // task's error message still carries the last stderr lines.
        return new ProgramRun(spec, maxResultBytes, context::log).run(Json.write(input.asMap()), context);
    }
}
