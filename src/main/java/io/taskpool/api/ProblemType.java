package io.taskpool.api;

import java.net.URI;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;

/**
 * Every kind of problem the API answers with (RFC 9457): its type ({@value #TYPE_PREFIX} and a
 * name), its HTTP status and its title. Each place that answers a problem builds it from here
 * ({@link ApiErrors}, the error page, Tomcat's error report, the body size filter), so that a type
 * has the same status and title wherever it comes from. README.md lists them for clients.
 */
enum ProblemType {
    MALFORMED_JSON("malformed-json", HttpStatus.BAD_REQUEST, "Malformed JSON"),
    INVALID_FIELD("invalid-field", HttpStatus.BAD_REQUEST, "Invalid request"),
    /** Refused before the API read it: the firewall, or the servlet container. */
    INVALID_REQUEST("invalid-request", HttpStatus.BAD_REQUEST, "Invalid request"),
    INVALID_INPUT("invalid-input", HttpStatus.BAD_REQUEST, "Invalid input"),
    UNAUTHORIZED("unauthorized", HttpStatus.UNAUTHORIZED, "Unauthorized"),
    FORBIDDEN("forbidden", HttpStatus.FORBIDDEN, "Forbidden"),
    TASK_NOT_FOUND("task-not-found", HttpStatus.NOT_FOUND, "Task not found"),
    BATCH_NOT_FOUND("batch-not-found", HttpStatus.NOT_FOUND, "Batch not found"),
    NOT_FOUND("not-found", HttpStatus.NOT_FOUND, "Not found"),
    METHOD_NOT_ALLOWED("method-not-allowed", HttpStatus.METHOD_NOT_ALLOWED, "Method not allowed"),
    /** Its title names the task's state instead ("Task is RUNNING"). */
    TASK_STATE_CONFLICT("task-state-conflict", HttpStatus.CONFLICT, "Task state conflict"),
    /** Its title names the batch's state instead ("Batch is CANCELLED"). */
    BATCH_STATE_CONFLICT("batch-state-conflict", HttpStatus.CONFLICT, "Batch state conflict"),
    IDEMPOTENCY_KEY_IN_USE("idempotency-key-in-use", HttpStatus.CONFLICT, "Idempotency-Key in use"),
    BODY_TOO_LARGE("body-too-large", HttpStatus.CONTENT_TOO_LARGE, "Request body too large"),
    BATCH_TOO_LARGE("batch-too-large", HttpStatus.CONTENT_TOO_LARGE, "Batch too large"),
    UNSUPPORTED_MEDIA_TYPE("unsupported-media-type", HttpStatus.UNSUPPORTED_MEDIA_TYPE, "Unsupported media type"),
    IDEMPOTENCY_KEY_REUSED("idempotency-key-reused", HttpStatus.UNPROCESSABLE_CONTENT, "Idempotency-Key reused"),
    QUEUE_FULL("queue-full", HttpStatus.TOO_MANY_REQUESTS, "Queue full"),
    RATE_LIMITED("rate-limited", HttpStatus.TOO_MANY_REQUESTS, "Too many requests"),
    TOO_MANY_STREAMS("too-many-streams", HttpStatus.TOO_MANY_REQUESTS, "Too many streams"),
    INTERNAL_ERROR("internal-error", HttpStatus.INTERNAL_SERVER_ERROR, "Internal error");

    static final String TYPE_PREFIX = "urn:taskpool:problem:";

    private final URI type;
    private final HttpStatus status;
    private final String title;

    ProblemType(String name, HttpStatus status, String title) {
        this.type = URI.create(TYPE_PREFIX + name);
        this.status = status;
        this.title = title;
    }

    /** A problem of this type, with its own status. */
    ProblemDetail with(String detail) {
        return with(status.value(), detail);
    }

    /**
     * A problem of this type with another status: the servlet container's errors keep the status
     * it chose (a 404 or 405 before any controller), under the type that covers them.
     */
    ProblemDetail with(int status, String detail) {
        ProblemDetail problem = ProblemDetail.forStatus(status);
        problem.setDetail(detail);
        problem.setType(type);
        problem.setTitle(title);
        return problem;
    }
}
