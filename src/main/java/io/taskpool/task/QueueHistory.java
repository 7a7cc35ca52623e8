package io.taskpool.task;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The last fifteen minutes of this node's claims and finished tasks, by tenant, in five-second
 * intervals: the throughput and queue wait the dashboard charts. Kept in memory in a ring of
 * intervals that the clock rolls over as it is written and read, so no thread samples it; a
 * restart starts it afresh, and each replica counts what it did itself.
 */
public final class QueueHistory {

    /** Short enough for a live chart, long enough that one interval holds a few tasks of a slow pool. */
    public static final Duration INTERVAL = Duration.ofSeconds(5);
    /** Fifteen minutes of intervals. */
    public static final int INTERVALS = 180;

    private final Clock clock;
    private final Interval[] ring = new Interval[INTERVALS];

    public QueueHistory(Clock clock) {
        this.clock = clock;
    }

    /**
     * One closed interval, for one tenant or all of them.
     *
     * @param finished tasks that reached a terminal state in it
     * @param claimed tasks that workers took from the queue in it
     * @param averageWaitMs mean time the claimed tasks waited in the queue; null when none was claimed
     * @param maxWaitMs the longest of those waits; null when none was claimed
     */
    public record Point(Instant start, long finished, long claimed, Double averageWaitMs, Long maxWaitMs) {}

    /** A task of {@code tenant} was claimed after waiting {@code wait} in the queue. */
    public synchronized void claimed(String tenant, Duration wait) {
        Counts counts = current().of(tenant);
        long nanos = Math.max(0, wait.toNanos());
        counts.claimed++;
        counts.waitNanos += nanos;
        counts.maxWaitNanos = Math.max(counts.maxWaitNanos, nanos);
    }

    /** A task of {@code tenant} reached a terminal state. */
    public synchronized void finished(String tenant) {
        current().of(tenant).finished++;
    }

    /**
     * The {@link #INTERVALS} intervals before the current one, oldest first; intervals without
     * activity are zeros. {@code tenant} null sums every tenant.
     */
    public synchronized List<Point> points(String tenant) {
        long now = index(clock.instant());
        List<Point> points = new ArrayList<>(INTERVALS);
        for (long index = now - INTERVALS; index < now; index++) {
            Interval interval = ring[slot(index)];
            Counts counts = new Counts();
            if (interval != null && interval.index == index) {
                interval.byTenant.forEach((owner, c) -> {
                    if (tenant == null || tenant.equals(owner)) {
                        counts.add(c);
                    }
                });
            }
            points.add(counts.point(Instant.ofEpochMilli(index * INTERVAL.toMillis())));
        }
        return points;
    }

    private Interval current() {
        long index = index(clock.instant());
        Interval interval = ring[slot(index)];
        if (interval == null || interval.index != index) {
            interval = new Interval(index);
            ring[slot(index)] = interval;
        }
        return interval;
    }

    private static long index(Instant at) {
        return Math.floorDiv(at.toEpochMilli(), INTERVAL.toMillis());
    }

    private static int slot(long index) {
        return (int) Math.floorMod(index, (long) INTERVALS);
    }

    private static final class Interval {
        final long index;
        final Map<String, Counts> byTenant = new HashMap<>(4);

        Interval(long index) {
            this.index = index;
        }

        Counts of(String tenant) {
            return byTenant.computeIfAbsent(tenant, t -> new Counts());
        }
    }

    private static final class Counts {
        long finished;
        long claimed;
        long waitNanos;
        long maxWaitNanos;

        void add(Counts other) {
            finished += other.finished;
            claimed += other.claimed;
            waitNanos += other.waitNanos;
            maxWaitNanos = Math.max(maxWaitNanos, other.maxWaitNanos);
        }

        Point point(Instant start) {
            return claimed == 0 ? new Point(start, finished, 0, null, null)
                    : new Point(start, finished, claimed, waitNanos / 1e6 / claimed, maxWaitNanos / 1_000_000);
        }
    }
}
