package io.taskpool.worker;

import io.taskpool.task.TaskType;
import io.taskpool.task.WorkerState;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One place in the pool: the process in it now and what that process is doing. Only the
 * supervisor thread reads or writes a slot. A new process takes the slot through {@link #reset()}.
 */
final class WorkerSlot {

    /** The id of the warm spare's slot, which is not one of the pool's slots (those count from 1). */
    static final int SPARE_ID = 0;

    final int id;
    /** The process in the slot, or null between one process's exit and the next one's start. */
    RunningWorker process;
    WorkerState state = WorkerState.STARTING;
    /** The task the worker runs now, or null. */
    Assignment assignment;
    /** The rest of the current chunk, sent to the worker, not started yet. */
    final Deque<Assignment> queued = new ArrayDeque<>();
    /** Request ids of chunk items cancelled before they started, which the worker will skip. */
    final Set<Long> skipped = new HashSet<>();
    /** Why the supervisor is stopping this process, or null while it means it to live. */
    RestartReason stopReason;
    /** The task types this slot's process announced; empty until its hello. */
    Set<String> types = Set.of();
    /** The same as its hello described them. */
    List<TaskType> announced = List.of();
    long tasksCompleted;
    Instant startedAt;
    long startedNanos;
    /** When the process last sent any frame (a heartbeat included). */
    long lastSeenNanos;
    /** Starts that failed in a row; grows the back-off, cleared by a hello. */
    int failedStarts;
    /** When to launch again after a failed start; 0 when no launch is due. */
    long restartAtNanos;
    /** When a stopping process is killed if it has not exited; 0 when it is not stopping. */
    long stopDeadlineNanos;
    /** What was wrong with the process's stdout, while it gets its time to die on its own. */
    String brokenReason;
    long brokenDeadlineNanos;

    WorkerSlot(int id) {
        this.id = id;
    }

    boolean isSpare() {
        return id == SPARE_ID;
    }

    /** Whether the slot's process has said hello and is not being stopped. */
    boolean isUp() {
        return state == WorkerState.IDLE || state == WorkerState.BUSY;
    }

    /** A new process takes the slot; the failure count stays, to keep the back-off growing. */
    void reset() {
        process = null;
        types = Set.of();
        announced = List.of();
        assignment = null;
        stopReason = null;
        tasksCompleted = 0;
        restartAtNanos = 0;
        stopDeadlineNanos = 0;
        brokenReason = null;
        brokenDeadlineNanos = 0;
    }

    /** Takes over the spare's process, which has said hello and run nothing. */
    void takeProcessOf(WorkerSlot spare) {
        reset();
        process = spare.process;
        types = spare.types;
        announced = spare.announced;
        startedAt = spare.startedAt;
        startedNanos = spare.startedNanos;
        lastSeenNanos = spare.lastSeenNanos;
        spare.process = null;
    }
}
