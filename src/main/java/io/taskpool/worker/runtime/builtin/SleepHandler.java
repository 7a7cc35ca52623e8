package io.taskpool.worker.runtime.builtin;

import io.taskpool.spi.TaskContext;
import io.taskpool.spi.TaskHandler;
import io.taskpool.spi.TaskInput;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code sleep}: waits {@code {"ms": n}} milliseconds without using CPU, the fixture for timeouts,
 * cancellation and queueing behaviour. Returns {@code {"sleptMs": actual}}; a cancel ends the
 * sleep early and still returns, since the worker reports the cancellation either way.
 */
public final class SleepHandler implements TaskHandler {

    static final long MAX_MS = TimeUnit.HOURS.toMillis(1);

    /** How often the cancel flag is polled: the longest a cancel waits to be noticed. */
    private static final long SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private static final long PROGRESS_EVERY_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

    public SleepHandler() {
    }

    @Override
    public String type() {
        return "sleep";
    }

    @Override
    public String description() {
        return "Sleeps {\"ms\": n} milliseconds (at most one hour), stopping early on cancel";
    }

    /** What {@link #run} reads: {@code ms} required; other fields are ignored, as the handler does. */
    @Override
    public String inputSchema() {
        return SchemaText.withNumbers("""
                {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object",
                 "required": ["ms"],
                 "properties": {"ms": {"type": "integer", "minimum": 0, "maximum": %d}}}""", MAX_MS);
    }

    @Override
    public Object run(TaskInput input, TaskContext context) {
        long ms = input.requireLong("ms", 0, MAX_MS);
        long total = TimeUnit.MILLISECONDS.toNanos(ms);
        long start = System.nanoTime();
        long nextProgress = PROGRESS_EVERY_NANOS;
        long elapsed = 0;
        while (elapsed < total && !context.isCancelled()) {
            try {
                TimeUnit.NANOSECONDS.sleep(Math.min(SLICE_NANOS, total - elapsed));
            } catch (InterruptedException e) {
                // The runner interrupts on cancel; keep the flag for whoever owns the thread.
                Thread.currentThread().interrupt();
                break;
            }
            elapsed = System.nanoTime() - start;
            if (elapsed >= nextProgress && elapsed < total) {
                context.progress((double) elapsed / total, null);
                nextProgress += PROGRESS_EVERY_NANOS;
            }
        }
        return Map.of("sleptMs", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
    }
}
