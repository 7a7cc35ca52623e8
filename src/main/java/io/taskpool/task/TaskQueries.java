package io.taskpool.task;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * The reads of tasks: one task, a page of the list, the tasks' attempts and logs, the task types,
 * the queue's figures, and the long poll that waits for a task's end without holding a thread.
 * It changes nothing; {@link TaskService} makes every change and wakes the waiters.
 */
public class TaskQueries {

    private final TaskStore store;
    private final TaskCompletions completions;
    private final Executor waitExecutor;
    private final QueueHistory history;
    private final WorkerGateway workers;

    TaskQueries(TaskStore store, TaskCompletions completions, Executor waitExecutor, QueueHistory history,
            WorkerGateway workers) {
        this.store = store;
        this.completions = completions;
        this.waitExecutor = waitExecutor;
        this.history = history;
        this.workers = workers;
    }

    public Task get(UUID id) {
        return store.find(id).orElseThrow(() -> new TaskNotFoundException(id));
    }

    /** The task, if the caller may see it: another tenant's task is not found, as if it did not exist. */
    public Task get(UUID id, Caller caller) {
        Task task = get(id);
        if (!caller.sees(task.tenant())) {
            throw new TaskNotFoundException(id);
        }
        return task;
    }

    public List<Task> list(TaskQuery query) {
        return store.list(query);
    }

    /**
     * The queue as the caller may see it: an administrator every tenant's, anyone else their own
     * tenant's. Depth and running tasks are counted in the store, across replicas; the history is
     * this node's.
     */
    public QueueFigures queueFigures(Caller caller) {
        String tenant = caller.scope();
        if (tenant == null) {
            return new QueueFigures(store.countQueued(), store.queuedByPriority(), store.countRunning(),
                    QueueHistory.INTERVAL, history.points(null));
        }
        return new QueueFigures(store.countQueuedOf(tenant), store.queuedByPriorityOf(tenant),
                store.countRunningOf(tenant), QueueHistory.INTERVAL, history.points(tenant));
    }

    /**
     * Every finished attempt of these tasks, by task: the earlier ones from the store (only
     * tasks past their first attempt have any), and the last one from the task itself once it
     * is terminal.
     */
    public Map<UUID, List<TaskAttempt>> attempts(List<Task> tasks) {
        List<UUID> retried = tasks.stream().filter(task -> task.attempt() > 1).map(Task::id).toList();
        Map<UUID, List<TaskAttempt>> earlier = retried.isEmpty() ? Map.of() : store.earlierAttempts(retried);
        Map<UUID, List<TaskAttempt>> attempts = new HashMap<>();
        for (Task task : tasks) {
            List<TaskAttempt> all = new ArrayList<>(earlier.getOrDefault(task.id(), List.of()));
            if (task.state().isTerminal() && task.startedAt() != null) {
                TaskError error = task.error() == null ? null : new TaskError(task.error().code(),
                        task.error().message(), null);
                all.add(new TaskAttempt(task.attempt(), task.startedAt(), task.finishedAt(), task.workerPid(), error));
            }
            attempts.put(task.id(), all);
        }
        return attempts;
    }

    /**
     * The task once it is terminal, or as it is after {@code wait}. Holds no thread while waiting.
     */
    public CompletableFuture<Task> awaitTerminal(UUID id, Duration wait) {
        return awaitTerminal(get(id), wait);
    }

    /** {@link #awaitTerminal(UUID, Duration)} of a task the caller may see. */
    public CompletableFuture<Task> awaitTerminal(UUID id, Duration wait, Caller caller) {
        return awaitTerminal(get(id, caller), wait);
    }

    private CompletableFuture<Task> awaitTerminal(Task now, Duration wait) {
        UUID id = now.id();
        if (now.state().isTerminal() || wait.isZero()) {
            return CompletableFuture.completedFuture(now);
        }
        CompletableFuture<Void> signal = completions.register(id, wait);
        Task again = get(id); // a change between the first read and registering
        if (again.state().isTerminal()) {
            signal.complete(null); // leaves the registry
            return CompletableFuture.completedFuture(again);
        }
        return signal.thenApplyAsync(ignored -> get(id), waitExecutor);
    }

    public List<TaskType> taskTypes() {
        return workers.taskTypes();
    }

    /** The task's log (empty when nothing was logged). */
    public String log(UUID id) {
        return store.findLog(id).orElseThrow(() -> new TaskNotFoundException(id));
    }

    /** {@link #log(UUID)} of a task the caller may see. */
    public String log(UUID id, Caller caller) {
        get(id, caller);
        return log(id);
    }
}
