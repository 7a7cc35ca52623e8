package io.taskpool.support;

import io.taskpool.spi.TaskContext;
import io.taskpool.spi.TaskHandler;
import io.taskpool.spi.TaskInput;
import java.util.Map;

/**
 * {@code test.log}: logs {@code lines} lines {@code "line <i>"}, each padded with {@code x} to
 * {@code width} characters if given, and returns {@code {"logged": lines}}.
 */
public final class LogHandler implements TaskHandler {

    @Override
    public String type() {
        return "test.log";
    }

    @Override
    public String description() {
        return "test: logs {\"lines\"} lines \"line <i>\", padded to {\"width\"} characters";
    }

    @Override
    public Object run(TaskInput input, TaskContext context) {
        long lines = input.longValue("lines", 0, 0, 1_000_000);
        int width = (int) input.longValue("width", 0, 0, 100_000);
        for (int i = 0; i < lines; i++) {
            StringBuilder line = new StringBuilder("line ").append(i);
            while (line.length() < width) {
                line.append('x');
            }
            context.log(line.toString());
        }
        return Map.of("logged", lines);
    }
}
