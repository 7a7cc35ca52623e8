package io.taskpool.api;

import io.swagger.v3.oas.annotations.media.Schema;
import java.util.Map;

/**
 * The shape of every error answer, for the OpenAPI description only: the answers themselves are
 * Spring's {@code ProblemDetail}, built in {@link ApiErrors}.
 */
@Schema(name = "Problem", description = "An RFC 9457 problem detail (application/problem+json)")
record ProblemView(
        @Schema(description = "Stable problem type", example = "urn:taskpool:problem:invalid-field") String type,
        @Schema(description = "Short summary", example = "Invalid request") String title,
        @Schema(description = "HTTP status", example = "400") int status,
        @Schema(description = "What exactly is wrong", example = "unknown task type 'primes.cont'; known types:"
                + " hash.sha256, noop, pi.montecarlo, primes.count, sleep") String detail,
        @Schema(description = "The request path", example = "/api/v1/tasks") String instance,
        @Schema(nullable = true, description = "The offending request field or parameter", example = "type")
        String field,
        @Schema(nullable = true, description = "For invalid-input: the JSON path, within the input, of the value"
                + " that breaks the task type's input schema", example = "$.below") String path,
        @Schema(nullable = true, description = "For invalid-input in a batch: the position of the failing input",
                example = "12") Integer index,
        @Schema(nullable = true, description = "The task concerned") String taskId,
        @Schema(nullable = true, description = "The task's state, on 409", example = "RUNNING") String state,
        @Schema(nullable = true, description = "The task's error (code and message), on 409 for a failed task")
        Map<String, String> error) {}
