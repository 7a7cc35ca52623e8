package io.taskpool.task;

/** A submission the service cannot accept; {@code field} names the offending request field. */
public class InvalidTaskException extends RuntimeException {

    private final String field;

    public InvalidTaskException(String field, String message) {
        super(message);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
