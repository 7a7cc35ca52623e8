package io.taskpool.spi;

/** Thrown by a handler when its input is not what the task type accepts; fails the task. */
public class InvalidInputException extends IllegalArgumentException {

    public InvalidInputException(String message) {
        super(message);
    }
}
