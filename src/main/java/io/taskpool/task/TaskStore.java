package io.taskpool.task;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The durable queue. Every transition is conditional on the state the caller expects, and its
 * boolean answer says whether this caller won: {@code false} is a lost race, a normal outcome.
 */
public interface TaskStore {

    /** Commits a new QUEUED task before returning. */
    void insert(Task task);

    Optional<Task> find(UUID id);

    List<Task> list(TaskQuery query);

    long countQueued();

    /**
     * Moves up to {@code max} QUEUED tasks to RUNNING for {@code owner}, highest priority first,
     * then oldest first, and returns them. Two claimers never get the same task.
     */
    List<Task> claimQueued(int max, String owner, Instant now);

    /** Records which worker process runs a RUNNING task. */
    boolean recordWorker(UUID id, int attempt, long pid);

    /** Stores the latest progress of a RUNNING task. */
    boolean recordProgress(UUID id, int attempt, TaskProgress progress);

    /** RUNNING (this attempt) to SUCCEEDED with its result. */
    boolean succeed(UUID id, int attempt, String resultJson, Instant now);

    /** RUNNING (this attempt) to the failure's terminal state. */
    boolean fail(UUID id, int attempt, TaskFailure failure, Instant now);

    /** QUEUED to CANCELLED. */
    boolean cancelQueued(UUID id, Instant now);

    /** Marks a RUNNING task's cancel request. */
    boolean requestCancel(UUID id);

    /**
     * Puts claimed tasks that never reached a worker back in the queue, attempt unchanged; those
     * cancelled meanwhile become CANCELLED. Returns how many were re-queued.
     */
    int unclaim(Collection<UUID> ids, String owner, Instant now);

    /**
     * After a restart: RUNNING tasks of {@code owner} go back to QUEUED with {@code attempt + 1}
     * while attempts remain, else fail with {@code failure}. A store that serves one process only
     * (embedded H2) treats every RUNNING task as this owner's.
     */
    Recovery recoverRunning(String owner, TaskFailure failure, Instant now);

    /** Deletes a terminal task; false if it is unknown or not terminal. */
    boolean deleteTerminal(UUID id);

    /** What {@link #recoverRunning} did. */
    record Recovery(int requeued, List<UUID> failed) {}
}
