package io.taskpool.task;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToLongFunction;

/**
 * The per-tenant limit on queued work ({@link TenantQuotas}). Counting a tenant's queued rows on
 * every submission would cost an index range per request, so the exact count is re-read at most
 * every {@link #REFRESH}, and the tasks this node accepted since are added to it. Other replicas'
 * submissions show up at the next re-read: across replicas the limit may be passed by what they
 * accept in that moment.
 */
final class TenantQueueRoom {

    static final Duration REFRESH = Duration.ofMillis(250);

    private final TenantQuotas quotas;
    private final ToLongFunction<String> countQueued;
    private final Map<String, Depth> depths = new ConcurrentHashMap<>();

    TenantQueueRoom(TenantQuotas quotas, ToLongFunction<String> countQueued) {
        this.quotas = quotas;
        this.countQueued = countQueued;
    }

    /** Refuses the tenant's new work while it has its limit queued (a batch may take it past, once). */
    void check(String tenant) {
        long max = quotas.maxQueued(tenant);
        if (max > 0 && depths.computeIfAbsent(tenant, Depth::new).estimate() >= max) {
            throw new QueueFullException(tenant, max, Duration.ofSeconds(1));
        }
    }

    /** The tenant's work joined the queue here. */
    void added(String tenant, long count) {
        if (quotas.maxQueued(tenant) > 0) {
            depths.computeIfAbsent(tenant, Depth::new).added(count);
        }
    }

    private final class Depth {
        private final String tenant;
        private long base;
        private long sinceRead;
        private long readAtNanos;
        private boolean read;

        Depth(String tenant) {
            this.tenant = tenant;
        }

        synchronized long estimate() {
            if (!read || System.nanoTime() - readAtNanos > REFRESH.toNanos()) {
                base = countQueued.applyAsLong(tenant);
                sinceRead = 0;
                readAtNanos = System.nanoTime();
                read = true;
            }
            return base + sinceRead;
        }

        synchronized void added(long count) {
            sinceRead += count;
        }
    }
}
