package io.taskpool.support;

import io.taskpool.spi.TaskContext;
import io.taskpool.spi.TaskHandler;
import io.taskpool.spi.TaskInput;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code test.chunk}: a handler whose behaviour depends on its input, since all items of a batch
 * share one type. {@code {"exit": true}} halts the worker JVM (exit code 7) like a System.exit in
 * user code; {@code {"fail": true}} throws, as a handler that rejects its input at run time does
 * (an input schema cannot catch everything); otherwise it sleeps {@code ms} milliseconds (stopping early on cancel) and returns
 * {@code {"n": n, "pid": pid}}, so a test can tell which worker process ran which item.
 */
public final class ChunkHandler implements TaskHandler {

    @Override
    public String type() {
        return "test.chunk";
    }

    @Override
    public String description() {
        return "test: halts its worker on {\"exit\": true}, throws on {\"fail\": true}, else sleeps {\"ms\"} and says which process ran it";
    }

    @Override
    public Object run(TaskInput input, TaskContext context) throws InterruptedException {
        if (Boolean.TRUE.equals(input.asMap().get("exit"))) {
            Runtime.getRuntime().halt(7);
        }
        if (Boolean.TRUE.equals(input.asMap().get("fail"))) {
            throw new IllegalArgumentException("this input asked to fail");
        }
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(input.longValue("ms", 0, 0, 600_000));
        while (System.nanoTime() < end && !context.isCancelled()) {
            TimeUnit.MILLISECONDS.sleep(Math.max(1, Math.min(10, TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime()))));
        }
        return Map.of("n", input.longValue("n", -1, Long.MIN_VALUE, Long.MAX_VALUE), "pid",
                ProcessHandle.current().pid());
    }
}
