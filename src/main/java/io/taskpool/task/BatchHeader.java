package io.taskpool.task;

import java.util.Map;

/**
 * The fields of a batch submission besides its inputs, as far as they are known; {@code null}
 * fields are absent (and take their defaults once the whole request has been read).
 */
public record BatchHeader(String type, Integer chunkSize, Integer priority, Long timeoutMs,
        Map<String, String> labels) {

    public static final BatchHeader EMPTY = new BatchHeader(null, null, null, null, null);

    /** This header with the fields {@code later} has, as a field given later wins. */
    public BatchHeader with(BatchHeader later) {
        return new BatchHeader(
                later.type != null ? later.type : type,
                later.chunkSize != null ? later.chunkSize : chunkSize,
                later.priority != null ? later.priority : priority,
                later.timeoutMs != null ? later.timeoutMs : timeoutMs,
                later.labels != null ? later.labels : labels);
    }
}
