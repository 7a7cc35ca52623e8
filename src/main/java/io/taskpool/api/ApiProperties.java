package io.taskpool.api;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * The HTTP API ({@code taskpool.api.*}).
 *
 * @param maxBody the largest request body accepted (and the largest input of one task); larger gets 413
 * @param maxBatchBody the largest body of a batch submission ({@code POST /api/v1/batches}); larger gets 413
 * @param maxEventStreams how many server-sent event streams ({@code /events}) may be open at once; more get 429
 */
public record ApiProperties(
        @NotNull @DefaultValue("1MB") DataSize maxBody,
        @NotNull @DefaultValue("64MB") DataSize maxBatchBody,
        @Min(1) @Max(100_000) @DefaultValue("256") int maxEventStreams) {

    public ApiProperties {
        if (maxBody != null && (maxBody.toBytes() < 1024 || maxBody.toBytes() > 256L * 1024 * 1024)) {
            throw new IllegalArgumentException("taskpool.api.max-body must be between 1KB and 256MB, was " + maxBody);
        }
        if (maxBatchBody != null && (maxBatchBody.toBytes() < 1024 || maxBatchBody.toBytes() > 4L * 1024 * 1024 * 1024)) {
            throw new IllegalArgumentException("taskpool.api.max-batch-body must be between 1KB and 4GB, was "
                    + maxBatchBody);
        }
    }
}
