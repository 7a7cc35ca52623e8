package io.taskpool.task;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Batches ({@code taskpool.batches.*}).
 *
 * @param maxItems the most inputs one batch may have; more gets 413
 * @param maxChunkSize the largest {@code chunkSize} a client may ask for
 * @param maxStreams how many NDJSON result streams may be open at once; more get 429
 */
public record BatchProperties(
        @Min(1) @Max(10_000_000) @DefaultValue("100000") int maxItems,
        @Min(1) @Max(100_000) @DefaultValue("10000") int maxChunkSize,
        @Min(1) @Max(10_000) @DefaultValue("64") int maxStreams) {}
