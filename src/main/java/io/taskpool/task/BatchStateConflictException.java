package io.taskpool.task;

/** The batch is in a state that does not allow the request (cancel of a finished batch). */
public class BatchStateConflictException extends RuntimeException {

    private final BatchStatus batch;

    public BatchStateConflictException(BatchStatus batch, String message) {
        super(message);
        this.batch = batch;
    }

    public BatchStatus batch() {
        return batch;
    }
}
