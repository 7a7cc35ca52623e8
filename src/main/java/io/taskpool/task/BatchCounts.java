package io.taskpool.task;

import java.time.Instant;

/**
 * How many items of a batch are in each state, and when the last one finished ({@code null} while
 * none has).
 */
public record BatchCounts(long queued, long running, long succeeded, long failed, long cancelled, long timedOut,
        Instant lastFinishedAt) {

    /** Items not yet terminal. */
    public long unfinished() {
        return queued + running;
    }

    /** The batch's state by the rules of {@link BatchState}. */
    public BatchState state(boolean batchCancelled) {
        if (unfinished() > 0) {
            return BatchState.RUNNING;
        }
        if (batchCancelled) {
            return BatchState.CANCELLED;
        }
        if (failed > 0 || timedOut > 0) {
            return BatchState.FAILED;
        }
        return cancelled > 0 ? BatchState.CANCELLED : BatchState.SUCCEEDED;
    }
}
