package io.taskpool.task;

/**
 * An input that does not match its task type's input schema, refused before anything is stored.
 * {@code field} is the request field that holds it ({@code input}, or {@code inputs} in a batch),
 * {@code path} the JSON path of the failing value within the input (such as {@code $.below}) and
 * {@code index} its position among a batch's inputs ({@code null} for a single task).
 */
public class InvalidInputException extends RuntimeException {

    private final String field;
    private final String path;
    private final Integer index;

    public InvalidInputException(String field, String path, Integer index, String message) {
        super(message);
        this.field = field;
        this.path = path;
        this.index = index;
    }

    public String field() {
        return field;
    }

    public String path() {
        return path;
    }

    public Integer index() {
        return index;
    }
}
