package io.taskpool.api;

import io.swagger.v3.oas.annotations.media.ArraySchema;
import io.swagger.v3.oas.annotations.media.Schema;
import java.util.List;
import java.util.Map;

/**
 * The body of {@code POST /api/v1/batches}, for the API description only: the body is read as
 * a stream by {@link JsonBatchRequest}, never bound to this record.
 */
@Schema(name = "SubmitBatch", description = "One task type run over many inputs; type and inputs are required")
record SubmitBatchRequest(
        @Schema(description = "A type listed by GET /api/v1/task-types", example = "primes.count",
                requiredMode = Schema.RequiredMode.REQUIRED) String type,
        @ArraySchema(schema = @Schema(types = "object", description = "The handler's input object for one item",
                example = "{\"below\": 100}"), arraySchema = @Schema(description = "One input object per item, at"
                + " most taskpool.batches.max-items", requiredMode = Schema.RequiredMode.REQUIRED))
        List<Map<String, Object>> inputs,
        @Schema(description = "Consecutive items one worker takes in one dispatch; by default about 4 chunks"
                + " per worker, at most 64 items", example = "64") Integer chunkSize,
        @Schema(description = "Higher runs first (-1000 to 1000); defaults to 0", example = "0") Integer priority,
        @Schema(description = "Time limit of each item in milliseconds; defaults to the type's own timeout"
                + " (programs), else taskpool.tasks.default-timeout",
                example = "60000") Long timeoutMs,
        @Schema(description = "Up to 32 free-form labels, copied to every item", example = "{\"team\": \"search\"}")
        Map<String, String> labels) {}
