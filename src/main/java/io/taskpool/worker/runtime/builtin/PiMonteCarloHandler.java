package io.taskpool.worker.runtime.builtin;

import io.taskpool.spi.TaskContext;
import io.taskpool.spi.TaskHandler;
import io.taskpool.spi.TaskInput;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CancellationException;

/**
 * {@code pi.montecarlo}: estimates π as four times the share of random points in the unit square
 * that fall inside the quarter circle. The points come from {@link SplittableRandom} seeded with
 * {@code seed}, so a given input always gives the same estimate, which lets a retried or
 * re-submitted task be checked against its first result.
 */
public final class PiMonteCarloHandler implements TaskHandler {

    static final long MAX_SAMPLES = 10_000_000_000L;

    /** Samples between two cancellation checks: a few milliseconds of work. */
    private static final long CHUNK = 1 << 20;

    public PiMonteCarloHandler() {
    }

    @Override
    public String type() {
        return "pi.montecarlo";
    }

    @Override
    public String description() {
        return "Estimates pi from {\"samples\": n} random points (default 1000000), deterministic per {\"seed\": s}";
    }

    /**
     * What {@link #run} reads. Both fields are optional, and null stands for absent (the default
     * applies), as {@code TaskInput.longValue} has it; other fields are ignored.
     */
    @Override
    public String inputSchema() {
        return SchemaText.withNumbers("""
                {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object",
                 "properties": {
                   "samples": {"type": ["integer", "null"], "minimum": 1, "maximum": %d},
                   "seed": {"type": ["integer", "null"], "minimum": %d, "maximum": %d}}}""", MAX_SAMPLES, Long.MIN_VALUE, Long.MAX_VALUE);
    }

    @Override
    public Object run(TaskInput input, TaskContext context) {
        long samples = input.longValue("samples", 1_000_000, 1, MAX_SAMPLES);
        long seed = input.longValue("seed", 42, Long.MIN_VALUE, Long.MAX_VALUE);
        SplittableRandom random = new SplittableRandom(seed);
        long inside = 0;
        for (long done = 0; done < samples; ) {
            if (context.isCancelled()) {
                throw new CancellationException("cancelled after " + done + " of " + samples + " samples");
            }
            long chunkEnd = Math.min(samples, done + CHUNK);
            for (; done < chunkEnd; done++) {
                double x = random.nextDouble();
                double y = random.nextDouble();
                if (x * x + y * y <= 1.0) {
                    inside++;
                }
            }
            if (done < samples) {
                context.progress((double) done / samples, null);
            }
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("estimate", 4.0 * inside / samples);
        result.put("samples", samples);
        return result;
    }
}
