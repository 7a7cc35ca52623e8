package io.taskpool.worker.runtime.builtin;

import io.taskpool.spi.TaskContext;
import io.taskpool.spi.TaskHandler;
import io.taskpool.spi.TaskInput;

/** {@code noop}: returns its input, so that a run measures nothing but the pool's own overhead. */
public final class NoopHandler implements TaskHandler {

    public NoopHandler() {
    }

    @Override
    public String type() {
        return "noop";
    }

    @Override
    public String description() {
        return "Returns its input unchanged (measures per-task overhead)";
    }

    /** Any input object: it comes back as it is. */
    @Override
    public String inputSchema() {
        return """
                {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object"}""";
    }

    @Override
    public Object run(TaskInput input, TaskContext context) {
        return input.asMap();
    }
}
