package io.taskpool.api;

/** A request parameter or field the API rejects; {@code field} names it. */
class BadRequestException extends RuntimeException {

    private final String field;

    BadRequestException(String field, String message) {
        super(message);
        this.field = field;
    }

    String field() {
        return field;
    }
}
