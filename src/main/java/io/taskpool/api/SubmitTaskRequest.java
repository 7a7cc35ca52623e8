package io.taskpool.api;

import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/** The body of {@code POST /api/v1/tasks}. */
@Schema(name = "SubmitTask", description = "A task to run; only type is required")
record SubmitTaskRequest(
        @Schema(description = "A type listed by GET /api/v1/task-types", example = "primes.count",
                requiredMode = Schema.RequiredMode.REQUIRED)
        @NotBlank @Size(max = 200) String type,
        @Schema(types = "object", implementation = Map.class, description = "The handler's input object; defaults to {}",
                example = "{\"below\": 1000000}")
        JsonNode input,
        @Schema(description = "Time limit in milliseconds; defaults to the type's own timeout (programs),"
                + " else taskpool.tasks.default-timeout",
                example = "60000")
        @Positive Long timeoutMs,
        @Schema(description = "Higher runs first (-1000 to 1000); defaults to 0", example = "0")
        @Min(-1000) @Max(1000) Integer priority,
        @Schema(description = "Up to 32 free-form labels", example = "{\"team\": \"search\"}")
        @Size(max = 32) Map<@NotBlank @Size(max = 100) String, @NotNull @Size(max = 500) String> labels,
        @Schema(description = "How many times the task may be started in all (1 to 10): a failed attempt (TASK_FAILED,"
                + " WORKER_CRASHED, OUT_OF_MEMORY, and TIMED_OUT with retryOnTimeout) is retried while attempts"
                + " remain; defaults to taskpool.tasks.max-attempts (1). A run lost to the death of the service or of"
                + " its replica (NODE_LOST) runs again without counting", example = "3")
        @Min(1) @Max(10) Integer maxAttempts,
        @Schema(description = "Wait before the second attempt in milliseconds, doubled for each further attempt,"
                + " with ±25% jitter; defaults to 1000", example = "1000")
        @PositiveOrZero @Max(3_600_000) Long retryBackoffMs,
        @Schema(description = "Whether an attempt that ran out of time is retried too; defaults to false",
                example = "false")
        Boolean retryOnTimeout) {}
