package io.taskpool.task;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Limits and defaults for tasks ({@code taskpool.tasks.*}).
 *
 * @param defaultTimeout time limit of a task that names no {@code timeoutMs}
 * @param maxTimeout the largest {@code timeoutMs} a client may ask for
 * @param cancelGrace how long a running task may take to stop after a cancel before its worker is killed
 * @param maxAttempts how many times a task may be started in all when its submission names no
 *     {@code maxAttempts}: a failed attempt is retried while attempts remain; a run lost to the
 *     death of its node (the service, or a replica whose lease ran out) is not counted
 * @param maxInterruptions how many runs of one task may be lost to the death of its node and run
 *     again; the next such loss fails it with NODE_LOST (a task that keeps taking the service down)
 * @param maxResult the largest result (JSON bytes) a task may return; larger fails with RESULT_TOO_LARGE
 * @param maxLog how much of a task's log is kept (its last characters, one per byte of this size)
 * @param retention how long a terminal task, or a finished batch with its items, is kept after it finished
 * @param retentionSweepInterval how often this node deletes what is past its retention
 */
public record TaskProperties(
        @NotNull @DefaultValue("5m") Duration defaultTimeout,
        @NotNull @DefaultValue("1h") Duration maxTimeout,
        @NotNull @DefaultValue("1s") Duration cancelGrace,
        @Min(1) @Max(10) @DefaultValue("1") int maxAttempts,
        @Min(0) @Max(100) @DefaultValue("3") int maxInterruptions,
        @NotNull @DefaultValue("1MB") DataSize maxResult,
        @NotNull @DefaultValue("1MB") DataSize maxLog,
        @NotNull @DefaultValue("24h") Duration retention,
        @NotNull @DefaultValue("1m") Duration retentionSweepInterval) {

    public TaskProperties {
        if (defaultTimeout != null && maxTimeout != null) {
            requirePositive("taskpool.tasks.default-timeout", defaultTimeout);
            requirePositive("taskpool.tasks.max-timeout", maxTimeout);
            if (defaultTimeout.compareTo(maxTimeout) > 0) {
                throw new IllegalArgumentException("taskpool.tasks.default-timeout (" + defaultTimeout
                        + ") must not exceed taskpool.tasks.max-timeout (" + maxTimeout + ")");
            }
        }
        // A cancel request waits for the grace period; past a minute it would outlast the HTTP request.
        if (cancelGrace != null && (cancelGrace.isNegative() || cancelGrace.compareTo(Duration.ofMinutes(1)) > 0)) {
            throw new IllegalArgumentException(
                    "taskpool.tasks.cancel-grace must be between 0 and 1m, was " + cancelGrace);
        }
        if (maxResult != null && (maxResult.toBytes() < 1024 || maxResult.toBytes() > 256L * 1024 * 1024)) {
            throw new IllegalArgumentException("taskpool.tasks.max-result must be between 1KB and 256MB, was " + maxResult);
        }
        // The log is rewritten on each append (at most every 250 ms per running task): keep it small.
        if (maxLog != null && (maxLog.toBytes() < 1024 || maxLog.toBytes() > 64L * 1024 * 1024)) {
            throw new IllegalArgumentException("taskpool.tasks.max-log must be between 1KB and 64MB, was " + maxLog);
        }
        if (retention != null) {
            requirePositive("taskpool.tasks.retention", retention);
        }
        if (retentionSweepInterval != null) {
            requirePositive("taskpool.tasks.retention-sweep-interval", retentionSweepInterval);
        }
    }

    private static void requirePositive(String name, Duration value) {
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, was " + value);
        }
    }
}
