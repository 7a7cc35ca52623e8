package io.taskpool.task;

import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.IntConsumer;

/**
 * Tells those who follow a batch (long polls, result streams) that an item finished, so they read
 * the store when something changed instead of polling it. A signal is a hint: followers still
 * poll slowly, for items finished by another process or by recovery.
 */
public class BatchSignals {

    /** Passed instead of an index when many items changed at once (a batch cancel). */
    public static final int MANY = -1;

    private final ConcurrentMap<UUID, Set<IntConsumer>> listeners = new ConcurrentHashMap<>();

    /** Calls {@code onItemFinished} with the index of each item of the batch that finishes, until closed. */
    public Subscription subscribe(UUID batchId, IntConsumer onItemFinished) {
        listeners.computeIfAbsent(batchId, id -> ConcurrentHashMap.newKeySet()).add(onItemFinished);
        return () -> listeners.computeIfPresent(batchId, (id, set) -> {
            set.remove(onItemFinished);
            return set.isEmpty() ? null : set;
        });
    }

    void itemFinished(UUID batchId, int index) {
        Set<IntConsumer> set = listeners.get(batchId);
        if (set != null) {
            set.forEach(listener -> listener.accept(index));
        }
    }

    /** Ends a subscription; closing twice is harmless. */
    public interface Subscription extends AutoCloseable {
        @Override
        void close();
    }
}
