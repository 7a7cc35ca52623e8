package io.taskpool.task;

import java.util.Map;

/**
 * What a client asks for; {@code null} fields take the configured defaults. {@code idempotency}
 * is the client's {@code Idempotency-Key} with the digest of the request, or {@code null}.
 */
public record NewTask(String type, String inputJson, Long timeoutMs, Integer priority, Map<String, String> labels,
        Integer maxAttempts, Long retryBackoffMs, Boolean retryOnTimeout, Idempotency idempotency) {

    public NewTask(String type, String inputJson, Long timeoutMs, Integer priority, Map<String, String> labels) {
        this(type, inputJson, timeoutMs, priority, labels, null, null, null, null);
    }
}
