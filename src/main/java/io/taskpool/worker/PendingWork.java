package io.taskpool.worker;

import io.taskpool.task.Task;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * Claimed work (a task, or a chunk of a batch's items) that waits for a worker: every worker that
 * offers its type was busy when it came. Used by the supervisor thread only.
 */
final class PendingWork {

    private final Deque<List<Task>> work = new ArrayDeque<>();

    void add(List<Task> tasks) {
        work.add(tasks);
    }

    boolean isEmpty() {
        return work.isEmpty();
    }

    /** The oldest work of a type the worker offers, taken off the list; or null. */
    List<Task> pollFor(Set<String> types) {
        for (var it = work.iterator(); it.hasNext(); ) {
            List<Task> next = it.next();
            if (types.contains(next.get(0).type())) {
                it.remove();
                return next;
            }
        }
        return null;
    }

    /** Takes the task off the list, if it waits here; or null. */
    Task remove(UUID taskId) {
        for (var it = work.iterator(); it.hasNext(); ) {
            List<Task> next = it.next();
            for (Task task : next) {
                if (task.id().equals(taskId)) {
                    next.remove(task);
                    if (next.isEmpty()) {
                        it.remove();
                    }
                    return task;
                }
            }
        }
        return null;
    }

    /** Empties the list, returning the ids of what waited. */
    List<UUID> drain() {
        List<UUID> ids = work.stream().flatMap(List::stream).map(Task::id).toList();
        work.clear();
        return ids;
    }
}
