package io.taskpool.task;

import java.time.Duration;
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

    private final ConcurrentMap<UUID, CompletableFuture<Void>> signals = new ConcurrentHashMap<>();

    /**
     * A future that completes when {@link #terminated} is called for {@code id} or after
     * {@code wait}, whichever comes first. The caller re-reads the task after registering, so a
     * change just before registration is not missed.
     */
    CompletableFuture<Void> register(UUID id, Duration wait) {
        CompletableFuture<Void> signal = signals.computeIfAbsent(id, key -> new CompletableFuture<>());
        CompletableFuture<Void> mine = new CompletableFuture<>();
        signal.thenRun(() -> mine.complete(null));
        return mine.completeOnTimeout(null, wait.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The task reached a terminal state (or vanished): wake everyone waiting on it. */
    void terminated(UUID id) {
        CompletableFuture<Void> signal = signals.remove(id);
        if (signal != null) {
            signal.complete(null);
        }
    }

    /** How many tasks have someone waiting; for metrics. */
    int waitedOn() {
        return signals.size();
    }
}
