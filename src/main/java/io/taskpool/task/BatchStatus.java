package io.taskpool.task;

import java.time.Instant;

/** A batch with the counts of its items, read together. */
public record BatchStatus(Batch batch, BatchCounts counts) {

    public BatchState state() {
        return counts.state(batch.cancelRequested());
    }

    /** When the last item finished, once the batch is terminal. */
    public Instant finishedAt() {
        return state().isTerminal() ? counts.lastFinishedAt() : null;
    }
}
