package io.taskpool.task;

import java.time.Duration;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;

/**
 * Wakes long-polling requests when their task reaches a terminal state. One shared signal per
 * task, however many clients wait on it; a waiter holds no thread, only a future, and the signal
 * fires from the state change itself, never from polling.
 */
public class TaskCompletions {

    private final ConcurrentMap<UUID, Set<CompletableFuture<Void>>> waiters = new ConcurrentHashMap<>();

    /**
     * A future that completes when {@link #terminated} is called for {@code id} or after
     * {@code wait}, whichever comes first. The caller re-reads the task after registering, so a
     * change just before registration is not missed; it completes the future itself then. A
     * completed waiter leaves the registry at once, so clients that poll a long task again and
     * again leave nothing behind.
     */
    CompletableFuture<Void> register(UUID id, Duration wait) {
        CompletableFuture<Void> waiter = new CompletableFuture<>();
        waiters.compute(id, (key, set) -> {
            Set<CompletableFuture<Void>> all = set == null ? ConcurrentHashMap.newKeySet() : set;
            all.add(waiter);
            return all;
        });
        waiter.whenComplete((ignored, error) -> waiters.computeIfPresent(id, (key, set) -> {
            set.remove(waiter);
            return set.isEmpty() ? null : set;
        }));
        return waiter.completeOnTimeout(null, wait.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The task reached a terminal state (or vanished): wake everyone waiting on it. */
    void terminated(UUID id) {
        Set<CompletableFuture<Void>> set = waiters.remove(id);
        if (set != null) {
            set.forEach(waiter -> waiter.complete(null));
        }
    }

    /** The service is stopping: every long poll answers now, with the task as it is. */
    void releaseAll() {
        waiters.keySet().forEach(this::terminated);
    }

    /** The tasks someone waits on now. */
    Set<UUID> waitedOnIds() {
        return Set.copyOf(waiters.keySet());
    }

    /** How many tasks have someone waiting; for metrics. */
    int waitedOn() {
        return waiters.size();
    }
}
