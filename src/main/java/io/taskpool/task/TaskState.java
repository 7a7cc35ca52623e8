package io.taskpool.task;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * The life of a task, with every allowed move in {@link #TRANSITIONS}. A cancel of a running
 * task is a recorded request ({@code cancel_requested}), not a state of its own. Drawn in
 * {@code docs/state-machine.md}.
 */
public enum TaskState {
    /**
     * Accepted and waiting. Entered on submission, or by recovery when a run was lost; left when
     * the dispatcher claims the task, or by cancel.
     */
    QUEUED,
    /**
     * Claimed by this node and handed to a worker. Left on the worker's result or failure, on
     * cancel, on timeout, when the worker dies, or by recovery at start-up (re-queued or failed).
     */
    RUNNING,
    /** Terminal: the handler returned a result. */
    SUCCEEDED,
    /** Terminal: the handler threw, or the worker crashed, ran out of memory or broke protocol. */
    FAILED,
    /** Terminal: cancelled by a client, while queued or running. */
    CANCELLED,
    /** Terminal: ran past its {@code timeoutMs}; its worker was killed. */
    TIMED_OUT;

    private static final Map<TaskState, Set<TaskState>> TRANSITIONS = Map.of(
            QUEUED, EnumSet.of(RUNNING, CANCELLED),
            RUNNING, EnumSet.of(QUEUED, SUCCEEDED, FAILED, CANCELLED, TIMED_OUT),
            SUCCEEDED, EnumSet.noneOf(TaskState.class),
            FAILED, EnumSet.noneOf(TaskState.class),
            CANCELLED, EnumSet.noneOf(TaskState.class),
            TIMED_OUT, EnumSet.noneOf(TaskState.class));

    public boolean isTerminal() {
        return TRANSITIONS.get(this).isEmpty();
    }

    public boolean canMoveTo(TaskState next) {
        return TRANSITIONS.get(this).contains(next);
    }

    /** The terminal states, for queries. */
    public static Set<TaskState> terminal() {
        return EnumSet.of(SUCCEEDED, FAILED, CANCELLED, TIMED_OUT);
    }
}
