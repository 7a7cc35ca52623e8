package io.taskpool.api;

import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * The HTTP API ({@code taskpool.api.*}).
 *
 * @param maxBody the largest request body accepted; larger gets 413
 */
public record ApiProperties(@NotNull @DefaultValue("1MB") DataSize maxBody) {

    public ApiProperties {
        if (maxBody != null && (maxBody.toBytes() < 1024 || maxBody.toBytes() > 256L * 1024 * 1024)) {
            throw new IllegalArgumentException("taskpool.api.max-body must be between 1KB and 256MB, was " + maxBody);
        }
    }
}
