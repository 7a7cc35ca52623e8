package io.taskpool.task;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The durable queue. Every transition is conditional on the state the caller expects, and its
 * boolean answer says whether this caller won: {@code false} is a lost race, a normal outcome.
 */
public interface TaskStore {

    /** Commits a new QUEUED task before returning. */
    default void insert(Task task) {
        insert(task, null, () -> {});
    }

    /**
     * Commits a new QUEUED task, single (not of a batch), with the client's idempotency key if
     * any, durably before returning. Its fair-share round is the round being served at its
     * priority, or one past the last queued single task of that priority.
     *
     * @param committed runs once the row is committed, on the committing thread, possibly before
     *     the commit is durable (the embedded store's write-out is then still to come): a claim
     *     may take the task meanwhile. Not run if the insert fails.
     * @throws IdempotencyKeyTakenException when another task holds the key
     */
    void insert(Task task, Idempotency idempotency, Runnable committed);

    Optional<Task> find(UUID id);

    Optional<IdempotentResource<Task>> findByIdempotencyKey(String key);

    List<Task> list(TaskQuery query);

    long countQueued();

    /** The tenant's queued tasks, counting the unwritten items of its batches. */
    long countQueuedOf(String tenant);

    /** Queued tasks by priority (batch items not yet written as tasks are not counted here). */
    Map<Integer, Long> queuedByPriority();

    /** {@link #queuedByPriority()} of one tenant's tasks. */
    Map<Integer, Long> queuedByPriorityOf(String tenant);

    /** RUNNING tasks on every node. */
    long countRunning();

    /** A tenant's RUNNING tasks on every node. */
    long countRunningOf(String tenant);

    /**
     * Moves up to {@code max} QUEUED tasks to RUNNING for {@code owner}, and returns them: the
     * places go round-robin between the tenants with queued work, and within a tenant highest
     * priority first, then oldest first. Two claimers never get the same task.
     */
    List<Task> claimQueued(int max, String owner, Instant now);

    /**
     * Claims work for up to {@code maxChunks} workers: the places go round-robin between the
     * tenants with queued work, and within a tenant to the next QUEUED tasks in claim order
     * (priority, then fair-share round, then submission), each batch item extended to the rest
     * of its chunk. Each inner list goes to one worker; batch items in input order.
     */
    List<List<Task>> claimChunks(int maxChunks, String owner, Instant now);

    /** Records which worker process runs a RUNNING task. */
    boolean recordWorker(UUID id, int attempt, long pid);

    /** Records which worker process runs these RUNNING tasks (a chunk), in one statement. */
    void recordWorker(Collection<UUID> ids, long pid);

    /**
     * Writes many outcomes in one commit, each conditional like {@link #succeed}, {@link #retry}
     * and {@link #fail}; element {@code i} of the answer is the state outcome {@code i} left its
     * task in, or null if it was not written (the task had moved on). A retry that cannot happen
     * (a cancel was requested meanwhile) is written as the failure.
     */
    default TaskState[] finish(List<TaskOutcome> outcomes, Instant now) {
        return finish(outcomes, now, Map.of());
    }

    /**
     * {@link #finish(List, Instant)}, also recording which worker process ran a task that
     * succeeded ({@code workerPids} by task id), so that a start and its outcome written together
     * take one statement.
     */
    TaskState[] finish(List<TaskOutcome> outcomes, Instant now, Map<UUID, Long> workerPids);

    /** Stores the latest progress of a RUNNING task. */
    boolean recordProgress(UUID id, int attempt, TaskProgress progress);

    /**
     * Appends {@code text} to the log of a RUNNING task (this attempt), keeping only its last
     * {@code maxChars} characters.
     */
    boolean appendLog(UUID id, int attempt, String text, int maxChars);

    /** The task's log, empty if nothing was logged; empty optional if there is no such task. */
    Optional<String> findLog(UUID id);

    /** RUNNING (this attempt) to SUCCEEDED with its result. */
    boolean succeed(UUID id, int attempt, String resultJson, Instant now);

    /** RUNNING (this attempt) to the failure's terminal state. */
    boolean fail(UUID id, int attempt, TaskFailure failure, Instant now);

    /**
     * RUNNING (this attempt, not being cancelled, attempts left) back to QUEUED as the next
     * attempt, claimable from {@code notBefore}; the failed attempt is kept in the task's
     * earlier attempts.
     */
    boolean retry(UUID id, int attempt, TaskFailure failure, Instant notBefore, Instant now);

    /** The attempts of these tasks that were followed by another, by task, in attempt order. */
    Map<UUID, List<TaskAttempt>> earlierAttempts(Collection<UUID> ids);

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
     * After a restart: the RUNNING tasks of earlier lives of the node {@code nodeName} (owner
     * {@code nodeName} or {@code nodeName#…}), whose runs died with them, go back to QUEUED as their
     * next attempt, one interruption more, not counted against {@code maxAttempts}; each lost run
     * is kept as an earlier attempt with {@code lost}. A task interrupted more than
     * {@code maxInterruptions} times fails with NODE_LOST instead, one being cancelled ends
     * CANCELLED. With {@code expiredOnly}, only tasks whose lease ran out: the name may be shared
     * with a live process. A store that serves one process only (embedded H2) treats every
     * RUNNING task as an earlier life's.
     */
    Recovery recoverRunning(String nodeName, boolean expiredOnly, TaskFailure.NodeLost lost, int maxInterruptions,
            Instant now);

    /**
     * {@link #recoverRunning} for another replica's tasks whose lease ran out before {@code now}:
     * that replica is gone. A task whose lease its owner renewed meanwhile is left alone.
     */
    Recovery recoverExpired(String lostOwner, TaskFailure.NodeLost lost, int maxInterruptions, Instant now);

    /** Whether other replicas may share this store (PostgreSQL), rather than this process alone (embedded H2). */
    boolean shared();

    /** Extends the lease of every RUNNING task of {@code owner} to a lease from {@code now}; returns how many. */
    int renewLeases(String owner, Instant now);

    /** RUNNING tasks of {@code owner} that a client asked to cancel (perhaps through another replica). */
    List<UUID> cancelRequestedOf(String owner);

    /** RUNNING tasks of other owners whose lease ran out before {@code now}: their owner is gone. */
    List<Task> expiredLeases(String self, Instant now);

    /** Those of these tasks that are terminal. */
    List<UUID> finishedAmong(Collection<UUID> ids);

    /**
     * After an orderly stop: RUNNING tasks of {@code owner} go back to QUEUED at the same
     * attempt (every owner's on a store this process has to itself); those with a cancel
     * request end CANCELLED. Returns how many were re-queued.
     */
    int requeueStopped(String owner, Instant now);

    /** Deletes a terminal task; false if it is unknown or not terminal. */
    boolean deleteTerminal(UUID id);

    /** What {@link #recoverRunning} did. */
    record Recovery(int requeued, List<UUID> failed) {}
}
