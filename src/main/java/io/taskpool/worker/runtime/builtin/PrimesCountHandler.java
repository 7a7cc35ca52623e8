package io.taskpool.worker.runtime.builtin;

import io.taskpool.spi.TaskContext;
import io.taskpool.spi.TaskHandler;
import io.taskpool.spi.TaskInput;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.CancellationException;

/**
 * {@code primes.count}: the number of primes below {@code {"below": n}}, by a segmented sieve of
 * Eratosthenes over odd numbers only. Memory stays at one segment plus the primes up to
 * {@code sqrt(n)} whatever {@code n} is, so even the largest input (2·10⁹: about five seconds on
 * one core) runs in a 64 MB worker heap.
 */
public final class PrimesCountHandler implements TaskHandler {

    static final long MAX_BELOW = 2_000_000_000L;

    /**
     * Odd numbers per segment. 128 KiB of flags fits in a typical L2 cache, which is where the
     * sieve's speed comes from; larger segments only add memory, smaller ones add per-segment
     * overhead and cancellation checks nobody needs.
     */
    private static final int SEGMENT_ODDS = 1 << 17;

    public PrimesCountHandler() {
    }

    @Override
    public String type() {
        return "primes.count";
    }

    @Override
    public String description() {
        return "Counts the primes below {\"below\": n} (n up to 2000000000) with a segmented sieve";
    }

    /** What {@link #run} reads: {@code below} required; other fields are ignored, as the handler does. */
    @Override
    public String inputSchema() {
        return SchemaText.withNumbers("""
                {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object",
                 "required": ["below"],
                 "properties": {"below": {"type": "integer", "minimum": 0, "maximum": %d}}}""", MAX_BELOW);
    }

    @Override
    public Object run(TaskInput input, TaskContext context) {
        long below = input.requireLong("below", 0, MAX_BELOW);
        return Map.of("count", countPrimesBelow(below, context));
    }

    static long countPrimesBelow(long below, TaskContext context) {
        if (below <= 2) {
            return 0;
        }
        long last = below - 1;
        int[] basePrimes = oddPrimesUpTo((int) Math.sqrt((double) last));
        boolean[] composite = new boolean[SEGMENT_ODDS];
        long count = 1; // the prime 2; the sieve below sees only odd numbers
        double nextProgress = 0.05;
        // Segment number i covers the odd numbers low, low + 2, ... up to low + 2 * (size - 1).
        for (long low = 3; low <= last; low += 2L * SEGMENT_ODDS) {
            if (context.isCancelled()) {
                throw new CancellationException("cancelled while counting primes below " + below + " at " + low);
            }
            long high = Math.min(low + 2L * (SEGMENT_ODDS - 1), last);
            int size = (int) ((high - low) / 2 + 1);
            Arrays.fill(composite, 0, size, false);
            for (int p : basePrimes) {
                long square = (long) p * p;
                if (square > high) {
                    break;
                }
                long first = Math.max(square, (low + p - 1) / p * p);
                if ((first & 1) == 0) {
                    first += p;
                }
                for (int j = (int) ((first - low) / 2); j < size; j += p) {
                    composite[j] = true;
                }
            }
            for (int j = 0; j < size; j++) {
                if (!composite[j]) {
                    count++;
                }
            }
            double done = (double) (high - 1) / last;
            if (done >= nextProgress && high < last) {
                context.progress(done, count + " primes found up to " + high);
                nextProgress = done + 0.05;
            }
        }
        return count;
    }

    /** The odd primes up to {@code limit} by a plain sieve; {@code limit} is at most 44721. */
    private static int[] oddPrimesUpTo(int limit) {
        boolean[] composite = new boolean[limit + 1];
        int[] primes = new int[Math.max(0, limit / 2)];
        int count = 0;
        for (int n = 3; n <= limit; n += 2) {
            if (!composite[n]) {
                primes[count++] = n;
                for (int m = n * n; m <= limit; m += 2 * n) {
                    composite[m] = true;
                }
            }
        }
        return Arrays.copyOf(primes, count);
    }
}
