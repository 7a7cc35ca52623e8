package io.taskpool.task;

/** Where a batch is: derived from its items' states, never stored. */
public enum BatchState {
    /** Some item is still QUEUED or RUNNING. */
    RUNNING,
    /** Every item SUCCEEDED. */
    SUCCEEDED,
    /** Every item is terminal and at least one FAILED or TIMED_OUT (and the batch was not cancelled). */
    FAILED,
    /**
     * Every item is terminal and the batch was cancelled, or, without a batch cancel, an item was
     * cancelled and none failed.
     */
    CANCELLED;

    public boolean isTerminal() {
        return this != RUNNING;
    }
}
