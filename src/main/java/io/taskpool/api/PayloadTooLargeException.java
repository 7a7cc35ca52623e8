package io.taskpool.api;

import java.io.IOException;

/** Thrown while reading a request body that grows past its limit ({@code property}). */
class PayloadTooLargeException extends IOException {

    PayloadTooLargeException(long limit, String property) {
        super("the request body exceeds the limit of " + limit + " bytes (" + property + ")");
    }
}
