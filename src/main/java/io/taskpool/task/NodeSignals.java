package io.taskpool.task;

import io.taskpool.task.TaskEvents.TaskEvent;
import java.util.UUID;

/**
 * Hints between replicas that share a store, so that they react at once rather than at their
 * next poll: work was queued (an idle replica claims it), a task was asked to stop (its owner
 * stops it), a task changed (the event streams, long polls and batch streams of every replica
 * see it). Hints may be lost; every replica still polls for all three.
 */
public interface NodeSignals {

    /** Work was committed to the queue. */
    void taskQueued();

    /** A RUNNING task's cancel was committed. */
    void cancelRequested(UUID taskId);

    /**
     * This replica published {@code event}; for a terminal state, only once the outcome is
     * durably stored, so that no replica reports a result that a crash could still take back.
     */
    void taskEvent(TaskEvent event);

    /** Starts delivering other replicas' signals to {@code listener}. */
    void listen(Listener listener);

    /** Receives other replicas' signals. */
    interface Listener {
        void taskQueued();

        void cancelRequested(UUID taskId);

        void taskEvent(TaskEvent event);
    }

    /** For a store this process has to itself: nobody to tell. */
    NodeSignals NONE = new NodeSignals() {
        @Override
        public void taskQueued() {}

        @Override
        public void cancelRequested(UUID taskId) {}

        @Override
        public void taskEvent(TaskEvent event) {}

        @Override
        public void listen(Listener listener) {}
    };
}
