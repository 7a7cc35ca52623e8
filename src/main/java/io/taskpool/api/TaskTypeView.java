package io.taskpool.api;

import io.swagger.v3.oas.annotations.media.Schema;

/** A task type the workers offer. */
@Schema(name = "TaskType", description = "A task type the workers offer")
record TaskTypeView(
        @Schema(description = "The name to submit", example = "primes.count") String type,
        @Schema(description = "What it does", example = "Counts the primes below a bound") String description) {}
