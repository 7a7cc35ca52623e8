package io.taskpool.task;

/** No batch has this id. */
public class BatchNotFoundException extends RuntimeException {

    private final String batchId;

    public BatchNotFoundException(Object batchId) {
        super("no batch with id " + batchId);
        this.batchId = String.valueOf(batchId);
    }

    public String batchId() {
        return batchId;
    }
}
