package io.taskpool.task;

import io.taskpool.task.TaskEvents.TaskEvent;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What other replicas of a shared store did to tasks, made known on this one: their events reach
 * the followers here as if they happened here, and their ends answer the long polls and batch
 * streams waiting here. The events they relay come at once but may be lost; the beat's polls
 * ({@link #wakeWaitersOfFinishedTasks}, {@link #publishChangesOfFollowedTasks}) catch up.
 */
final class ChangesElsewhere {

    /** Ids per statement of the finished-tasks poll: a statement takes a bounded number of parameters. */
    private static final int IDS_PER_QUERY = 1000;

    private final TaskStore store;
    private final TaskEvents events;
    private final TaskCompletions completions;
    private final BatchSignals batchSignals;
    private final Clock clock;
    /** What this node last saw of each task a stream here follows. */
    private final Map<UUID, String> seen = new ConcurrentHashMap<>();

    ChangesElsewhere(TaskStore store, TaskEvents events, TaskCompletions completions, BatchSignals batchSignals,
            Clock clock) {
        this.store = store;
        this.events = events;
        this.completions = completions;
        this.batchSignals = batchSignals;
        this.clock = clock;
    }

    /** Another replica relayed one of its events. */
    void relayed(TaskEvent event) {
        events.publish(event);
        // The poll would otherwise announce the same change once more.
        seen.computeIfPresent(event.taskId(), (id, before) -> key(event.state(), event.attempt(), event.progress()));
        if (event.isTerminal()) {
            completions.terminated(event.taskId());
            if (event.batchId() != null) {
                batchSignals.itemFinished(event.batchId(), event.batchIndex());
            }
        }
    }

    /** Answers the long polls here of tasks that another replica finished. */
    void wakeWaitersOfFinishedTasks() {
        List<UUID> waitedOn = List.copyOf(completions.waitedOnIds());
        for (int from = 0; from < waitedOn.size(); from += IDS_PER_QUERY) {
            store.finishedAmong(waitedOn.subList(from, Math.min(waitedOn.size(), from + IDS_PER_QUERY)))
                    .forEach(completions::terminated);
        }
    }

    /**
     * Tells the streams here that follow single tasks what changed: a task's current state
     * whenever its state, attempt or progress differs from what this node last saw of it.
     */
    void publishChangesOfFollowedTasks() {
        Set<UUID> followed = events.followedTasks();
        seen.keySet().retainAll(followed);
        Instant now = clock.instant();
        for (UUID id : followed) {
            store.find(id).ifPresent(task -> {
                String current = key(task.state(), task.attempt(), task.progress());
                if (!current.equals(seen.put(id, current))) {
                    events.publish(TaskEvent.current(task, now));
                }
            });
        }
    }

    private static String key(TaskState state, int attempt, TaskProgress progress) {
        return state + "/" + attempt + "/" + progress;
    }
}
