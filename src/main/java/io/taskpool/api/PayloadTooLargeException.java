package io.taskpool.api;

import java.io.IOException;

/** Thrown while reading a request body that grows past {@code taskpool.api.max-body}. */
class PayloadTooLargeException extends IOException {

    PayloadTooLargeException(long limit) {
        super("the request body exceeds the limit of " + limit + " bytes (taskpool.api.max-body)");
    }
}
