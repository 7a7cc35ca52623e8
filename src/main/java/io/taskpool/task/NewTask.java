package io.taskpool.task;

import java.util.Map;

/** What a client asks for; {@code null} fields take the configured defaults. */
public record NewTask(String type, String inputJson, Long timeoutMs, Integer priority, Map<String, String> labels) {}
