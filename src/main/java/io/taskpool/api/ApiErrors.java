package io.taskpool.api;

import io.taskpool.task.InvalidTaskException;
import io.taskpool.task.BatchNotFoundException;
import io.taskpool.task.BatchStateConflictException;
import io.taskpool.task.BatchStatus;
import io.taskpool.task.BatchTooLargeException;
import io.taskpool.task.IdempotencyConflictException;
import io.taskpool.task.InvalidInputException;
import io.taskpool.task.QueueFullException;
import io.taskpool.task.Task;
import io.taskpool.task.TaskNotFoundException;
import io.taskpool.task.TaskStateConflictException;
import java.net.URI;
import java.util.Map;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.apache.tomcat.util.http.InvalidParameterException;
import org.springframework.context.MessageSourceResolvable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.validation.FieldError;
import org.springframework.validation.method.ParameterErrors;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.authentication.InsufficientAuthenticationException;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.firewall.RequestRejectedException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.method.annotation.HandlerMethodValidationException;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;
import org.springframework.web.servlet.resource.NoResourceFoundException;
import tools.jackson.core.JacksonException;
import tools.jackson.core.exc.StreamConstraintsException;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.exc.UnrecognizedPropertyException;

/**
 * Turns the exceptions of request handling into HTTP answers: RFC 9457 problem details of a
 * {@link ProblemType}, with a specific {@code detail} and, where it helps, {@code field},
 * {@code taskId}, {@code state} and {@code error}. Never a stack trace.
 */
@RestControllerAdvice
class ApiErrors extends ResponseEntityExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ApiErrors.class);

    @ExceptionHandler
    ProblemDetail taskNotFound(TaskNotFoundException e) {
        ProblemDetail problem = ProblemType.TASK_NOT_FOUND.with(e.getMessage());
        problem.setProperty("taskId", e.taskId());
        return problem;
    }

    @ExceptionHandler
    ProblemDetail stateConflict(TaskStateConflictException e) {
        Task task = e.task();
        ProblemDetail problem = ProblemType.TASK_STATE_CONFLICT.with(e.getMessage());
        problem.setTitle("Task is " + task.state());
        problem.setProperty("taskId", task.id().toString());
        problem.setProperty("state", task.state().name());
        if (task.error() != null) {
            problem.setProperty("error", Map.of("code", task.error().code(), "message", task.error().message()));
        }
        return problem;
    }

    @ExceptionHandler
    ResponseEntity<ProblemDetail> queueFull(QueueFullException e) {
        ProblemDetail problem = ProblemType.QUEUE_FULL.with(e.getMessage());
        return ResponseEntity.status(problem.getStatus())
                .header(HttpHeaders.RETRY_AFTER, Long.toString(Math.max(1, e.retryAfter().toSeconds())))
                .body(problem);
    }

    /** No credentials, or ones no key or issuer vouches for. */
    @ExceptionHandler
    ResponseEntity<ProblemDetail> unauthenticated(AuthenticationException e) {
        String detail = e instanceof InsufficientAuthenticationException
                ? "this endpoint needs an API key: send it as 'Authorization: Bearer <key>'"
                : "the credentials were refused: " + (e.getMessage() == null ? "not a valid bearer token" : e.getMessage());
        ProblemDetail problem = ProblemType.UNAUTHORIZED.with(detail);
        return ResponseEntity.status(problem.getStatus()).header(HttpHeaders.WWW_AUTHENTICATE, "Bearer")
                .body(problem);
    }

    /** Authenticated, but the key lacks the role (an unauthenticated request lands here too, as 401). */
    @ExceptionHandler
    ResponseEntity<ProblemDetail> forbidden(AccessDeniedException e) {
        Authentication caller = SecurityContextHolder.getContext().getAuthentication();
        if (!(caller instanceof CallerAuthentication)) {
            return unauthenticated(new InsufficientAuthenticationException(e.getMessage()));
        }
        ProblemDetail problem = ProblemType.FORBIDDEN.with("this API key's roles "
                + caller.getAuthorities().stream().map(a -> a.getAuthority().substring("ROLE_".length())
                        .toLowerCase(java.util.Locale.ROOT)).sorted().toList()
                + " do not allow this request (reading needs 'read', submitting, cancelling and deleting 'submit',"
                + " the worker endpoints 'admin')");
        return ResponseEntity.status(problem.getStatus()).body(problem);
    }

    /** The firewall refused the URL before anything else saw it. */
    @ExceptionHandler
    ProblemDetail rejectedUrl(RequestRejectedException e) {
        return ProblemType.INVALID_REQUEST.with("the request URL is refused:"
                + " it must be normalised (no '..', '//', encoded '/', '\\' or ';' segments) and hold no control"
                + " characters");
    }

    @ExceptionHandler
    ResponseEntity<ProblemDetail> rateLimited(RateLimitedException e) {
        ProblemDetail problem = ProblemType.RATE_LIMITED.with(e.getMessage());
        return ResponseEntity.status(problem.getStatus())
                .header(HttpHeaders.RETRY_AFTER, Long.toString(e.retryAfter().toSeconds()))
                .body(problem);
    }

    @ExceptionHandler
    ProblemDetail invalidTask(InvalidTaskException e) {
        return invalidField(e.field(), e.getMessage());
    }

    /** An input its task type's schema refuses: where in the input, and which rule. */
    @ExceptionHandler
    ProblemDetail invalidInput(InvalidInputException e) {
        ProblemDetail problem = ProblemType.INVALID_INPUT.with(e.getMessage());
        problem.setProperty("field", e.field());
        problem.setProperty("path", e.path());
        if (e.index() != null) {
            problem.setProperty("index", e.index());
        }
        return problem;
    }

    @ExceptionHandler
    ProblemDetail badRequest(BadRequestException e) {
        return invalidField(e.field(), e.getMessage());
    }

    @ExceptionHandler
    ProblemDetail typeMismatch(MethodArgumentTypeMismatchException e) {
        String expected = e.getRequiredType() == null ? "another type" : e.getRequiredType().getSimpleName();
        return invalidField(e.getName(), e.getName() + " must be " + article(expected) + ", was '" + e.getValue() + "'");
    }

    /** Tomcat refuses a query string it cannot decode (say {@code %ZZ}) only when it is read. */
    @ExceptionHandler
    ProblemDetail undecodableParameters(InvalidParameterException e) {
        return ProblemType.INVALID_FIELD.with("the query string is not valid: use percent-encoding for special characters");
    }

    @ExceptionHandler
    ProblemDetail inputTooLarge(InputTooLargeException e) {
        return ProblemType.BODY_TOO_LARGE.with(e.getMessage());
    }

    @ExceptionHandler
    ProblemDetail batchNotFound(BatchNotFoundException e) {
        ProblemDetail problem = ProblemType.BATCH_NOT_FOUND.with(e.getMessage());
        problem.setProperty("batchId", e.batchId());
        return problem;
    }

    @ExceptionHandler
    ProblemDetail batchStateConflict(BatchStateConflictException e) {
        BatchStatus batch = e.batch();
        ProblemDetail problem = ProblemType.BATCH_STATE_CONFLICT.with(e.getMessage());
        problem.setTitle("Batch is " + batch.state());
        problem.setProperty("batchId", batch.batch().id().toString());
        problem.setProperty("state", batch.state().name());
        return problem;
    }

    /** 422 for a key reused with another request; 409 while the first request with it is being stored. */
    @ExceptionHandler
    ProblemDetail idempotencyConflict(IdempotencyConflictException e) {
        ProblemDetail problem = e.inProgress()
                ? ProblemType.IDEMPOTENCY_KEY_IN_USE.with(e.getMessage())
                : ProblemType.IDEMPOTENCY_KEY_REUSED.with(e.getMessage());
        problem.setProperty("idempotencyKey", e.key());
        return problem;
    }

    @ExceptionHandler
    ProblemDetail batchTooLarge(BatchTooLargeException e) {
        return ProblemType.BATCH_TOO_LARGE.with(e.getMessage());
    }

    @ExceptionHandler
    ResponseEntity<ProblemDetail> tooManyStreams(TooManyStreamsException e) {
        ProblemDetail problem = ProblemType.TOO_MANY_STREAMS.with(e.getMessage());
        return ResponseEntity.status(problem.getStatus()).header(HttpHeaders.RETRY_AFTER, "1").body(problem);
    }

    /** A batch body is parsed as a stream, outside Spring's message conversion. */
    @ExceptionHandler
    ProblemDetail unreadableStream(JacksonException e) {
        PayloadTooLargeException tooLarge = find(e, PayloadTooLargeException.class);
        if (tooLarge != null) {
            return ProblemType.BODY_TOO_LARGE.with(tooLarge.getMessage());
        }
        if (e instanceof StreamReadException parse) {
            return malformedJson(parse);
        }
        if (e instanceof StreamConstraintsException limit) {
            // A number of thousands of digits, nesting hundreds deep: the client's doing, not ours.
            return ProblemType.MALFORMED_JSON.with("the body exceeds a limit of the JSON parser: " + limit.getOriginalMessage());
        }
        return unexpected(e);
    }

    @ExceptionHandler
    ProblemDetail unexpected(Exception e) {
        log.error("Unexpected error answering a request", e);
        return ProblemType.INTERNAL_ERROR.with("the service failed to handle this request; the error is in its log");
    }

    @Override
    protected ResponseEntity<Object> handleHttpMessageNotReadable(HttpMessageNotReadableException e,
            HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        Throwable cause = e.getMostSpecificCause();
        if (causedBy(e, PayloadTooLargeException.class)) {
            PayloadTooLargeException tooLarge = find(e, PayloadTooLargeException.class);
            return entity(ProblemType.BODY_TOO_LARGE.with(tooLarge.getMessage()));
        }
        ProblemDetail problem;
        if (cause instanceof UnrecognizedPropertyException unknown) {
            problem = invalidField(unknown.getPropertyName(), "unknown field '" + unknown.getPropertyName()
                    + "'; known fields: " + unknown.getKnownPropertyIds().stream().map(String::valueOf).sorted()
                    .collect(Collectors.joining(", ")));
        } else if (cause instanceof MismatchedInputException mismatch && !mismatch.getPath().isEmpty()) {
            String field = mismatch.getPathReference().replaceAll("^[^\\[]*\\[\"?", "").replaceAll("\"?\\]", "")
                    .replace("[\"", ".");
            String name = mismatch.getPath().get(mismatch.getPath().size() - 1).getPropertyName();
            String target = mismatch.getTargetType() == null ? "another type"
                    : mismatch.getTargetType().getSimpleName();
            problem = invalidField(name == null ? field : name, "field '" + (name == null ? field : name)
                    + "' has the wrong type: expected " + article(target));
        } else if (cause instanceof StreamReadException parse) {
            problem = malformedJson(parse);
        } else if (cause instanceof JacksonException json) {
            problem = ProblemType.MALFORMED_JSON.with("the body cannot be read: " + json.getOriginalMessage());
        } else {
            problem = ProblemType.MALFORMED_JSON.with("the body is missing or not valid JSON");
        }
        return entity(problem);
    }

    @Override
    protected ResponseEntity<Object> handleMethodArgumentNotValid(MethodArgumentNotValidException e,
            HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        FieldError first = e.getBindingResult().getFieldErrors().stream().findFirst().orElse(null);
        if (first == null) {
            return entity(ProblemType.INVALID_FIELD.with("the request body is invalid"));
        }
        return entity(fieldProblem(first));
    }

    private static ProblemDetail fieldProblem(FieldError error) {
        return invalidField(error.getField(), "field '" + error.getField() + "' " + error.getDefaultMessage()
                + (error.getRejectedValue() == null ? "" : ", was " + abbreviate(error.getRejectedValue())));
    }

    @Override
    protected ResponseEntity<Object> handleHandlerMethodValidationException(HandlerMethodValidationException e,
            HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        var result = e.getParameterValidationResults().stream().findFirst().orElse(null);
        if (result == null) {
            return entity(ProblemType.INVALID_FIELD.with("invalid parameters"));
        }
        if (result instanceof ParameterErrors errors && errors.getFieldError() != null) {
            return entity(fieldProblem(errors.getFieldError())); // a @Valid body, validated with the parameters
        }
        String name = result.getMethodParameter().getParameterName();
        String reason = result.getResolvableErrors().stream().map(MessageSourceResolvable::getDefaultMessage)
                .findFirst().orElse("is invalid");
        return entity(invalidField(name, name + " " + reason + ", was " + abbreviate(result.getArgument())));
    }

    @Override
    protected ResponseEntity<Object> handleMissingServletRequestParameter(MissingServletRequestParameterException e,
            HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        return entity(invalidField(e.getParameterName(), "query parameter '" + e.getParameterName() + "' is required"));
    }

    @Override
    protected ResponseEntity<Object> handleHttpMediaTypeNotSupported(HttpMediaTypeNotSupportedException e,
            HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        String sent = e.getContentType() == null ? "none" : "'" + e.getContentType() + "'";
        ProblemDetail problem = ProblemType.UNSUPPORTED_MEDIA_TYPE.with("Content-Type " + sent + " is not supported; send application/json");
        return ResponseEntity.status(problem.getStatus()).headers(headers).body(problem);
    }

    @Override
    protected ResponseEntity<Object> handleHttpRequestMethodNotSupported(HttpRequestMethodNotSupportedException e,
            HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        ProblemDetail problem = ProblemType.METHOD_NOT_ALLOWED.with(e.getMethod() + " is not supported here; supported: " + e.getSupportedHttpMethods());
        return ResponseEntity.status(problem.getStatus()).headers(headers).body(problem);
    }

    @Override
    protected ResponseEntity<Object> handleNoResourceFoundException(NoResourceFoundException e, HttpHeaders headers,
            HttpStatusCode status, WebRequest request) {
        return entity(ProblemType.NOT_FOUND.with("no resource at /" + e.getResourcePath() + "; the API lives under /api/v1"));
    }

    /** Problems Spring raises itself keep their status but get our type and no internals. */
    @Override
    protected ResponseEntity<Object> handleExceptionInternal(Exception e, Object body, HttpHeaders headers,
            HttpStatusCode status, WebRequest request) {
        ResponseEntity<Object> response = super.handleExceptionInternal(e, body, headers, status, request);
        if (response != null && response.getBody() instanceof ProblemDetail problem
                && (problem.getType() == null || problem.getType().toString().equals("about:blank"))) {
            problem.setType(URI.create(ProblemType.TYPE_PREFIX + "http-" + status.value()));
        }
        return response;
    }

    private static ProblemDetail malformedJson(StreamReadException parse) {
        return ProblemType.MALFORMED_JSON.with("the body is not valid JSON"
                + (parse.getLocation() == null ? "" : " (line " + parse.getLocation().getLineNr() + ", column "
                + parse.getLocation().getColumnNr() + ")") + ": " + parse.getOriginalMessage());
    }

    private static ProblemDetail invalidField(String field, String detail) {
        ProblemDetail problem = ProblemType.INVALID_FIELD.with(detail);
        problem.setProperty("field", field);
        return problem;
    }

    private static ResponseEntity<Object> entity(ProblemDetail problem) {
        return ResponseEntity.status(problem.getStatus()).body(problem);
    }

    private static String article(String type) {
        return switch (type) {
            case "long", "Long", "int", "Integer" -> "an integer";
            case "String" -> "a string";
            case "Map", "LinkedHashMap", "ObjectNode", "JsonNode" -> "an object";
            default -> "a " + type;
        };
    }

    private static String abbreviate(Object value) {
        String text = String.valueOf(value);
        return text.length() <= 100 ? text : text.substring(0, 100) + "...";
    }

    private static boolean causedBy(Throwable e, Class<? extends Throwable> type) {
        return find(e, type) != null;
    }

    private static <T extends Throwable> T find(Throwable e, Class<T> type) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }
}
