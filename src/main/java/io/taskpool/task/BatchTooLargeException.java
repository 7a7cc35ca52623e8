package io.taskpool.task;

/** A batch with more inputs than {@code taskpool.batches.max-items}. */
public class BatchTooLargeException extends RuntimeException {

    public BatchTooLargeException(int maxItems) {
        super("the batch has more than " + maxItems + " inputs (taskpool.batches.max-items); split it into"
                + " several batches");
    }
}
