package io.taskpool.worker;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.NestedConfigurationProperty;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * The worker pool ({@code taskpool.workers.*}).
 *
 * @param count how many worker processes run tasks at once; 0 means one per processor the service may use
 * @param maxHeap heap limit ({@code -Xmx}) of each worker JVM
 * @param overhead memory each worker JVM uses besides its heap (metaspace, code cache, threads), in the start-up memory budget
 * @param serviceOverhead memory the service's JVM uses besides its heap, in the start-up memory budget
 * @param jvmOptions extra options for each worker JVM, after the built-in ones (so they can override them)
 * @param classPath extra class path entries (jars or directories) for the workers: where plug-in task handlers come from
 * @param pluginsDir every jar in this directory is on the workers' class path, read at each worker start; missing: none
 * @param maxTasksPerWorker restart a worker after this many tasks, between tasks; 0 means never
 * @param warmSpare keep one started worker JVM in reserve, which takes the place of a worker that dies or is killed at once, so the pool is back at full strength without waiting for a JVM to start; it runs no task while in reserve
 * @param heartbeatInterval how often an idle or busy worker says it is alive
 * @param heartbeatTimeout a worker silent for this long is killed and replaced (its task fails with WORKER_CRASHED)
 * @param startTimeout how long a new worker may take to say hello before it counts as a failed start
 * @param maxRestartBackoff the longest pause between restarts of a worker that keeps failing at start-up
 * @param inheritedEnvironment the service's environment variables a worker gets, by name or by prefix ending in * (LC_*); variables that configure the service (SPRING_*, TASKPOOL_*, JAVA_TOOL_OPTIONS) or look like secrets (names with PASSWORD, SECRET, TOKEN, KEY, CREDENTIAL, AUTH) are never passed and may not be listed
 * @param limits operating-system resource limits of each worker and the programs it starts, applied through prlimit on Linux
 */
public record WorkerProperties(
        @Min(0) @Max(1024) @DefaultValue("0") int count,
        @NotNull @DefaultValue("256MB") DataSize maxHeap,
        @NotNull @DefaultValue("40MB") DataSize overhead,
        @NotNull @DefaultValue("150MB") DataSize serviceOverhead,
        @NotNull @DefaultValue List<String> jvmOptions,
        @NotNull @DefaultValue List<String> classPath,
        @NotNull @DefaultValue("./plugins") Path pluginsDir,
        @Min(0) @DefaultValue("0") int maxTasksPerWorker,
        @DefaultValue("true") boolean warmSpare,
        @NotNull @DefaultValue("2s") Duration heartbeatInterval,
        @NotNull @DefaultValue("30s") Duration heartbeatTimeout,
        @NotNull @DefaultValue("30s") Duration startTimeout,
        @NotNull @DefaultValue("30s") Duration maxRestartBackoff,
        // What a JVM and its programs need to find programs, to decode file names and text (without
        // LANG or LC_* a JVM falls back to ASCII file names), to tell the time zone and to find the
        // temporary directory.
        @NotNull @DefaultValue({"PATH", "HOME", "LANG", "LC_*", "TZ", "TMPDIR"}) List<String> inheritedEnvironment,
        @Valid @NotNull @DefaultValue @NestedConfigurationProperty WorkerLimits limits) {

    public WorkerProperties {
        if (maxHeap != null && maxHeap.toMegabytes() < 16) {
            throw new IllegalArgumentException("taskpool.workers.max-heap must be at least 16MB, was " + maxHeap);
        }
        if (overhead != null && overhead.isNegative()) {
            throw new IllegalArgumentException("taskpool.workers.overhead must not be negative, was " + overhead);
        }
        if (serviceOverhead != null && serviceOverhead.isNegative()) {
            throw new IllegalArgumentException(
                    "taskpool.workers.service-overhead must not be negative, was " + serviceOverhead);
        }
        if (heartbeatInterval != null && heartbeatTimeout != null) {
            if (heartbeatInterval.toMillis() < 10) {
                throw new IllegalArgumentException(
                        "taskpool.workers.heartbeat-interval must be at least 10ms, was " + heartbeatInterval);
            }
            if (heartbeatTimeout.compareTo(heartbeatInterval.multipliedBy(3)) < 0) {
                throw new IllegalArgumentException("taskpool.workers.heartbeat-timeout (" + heartbeatTimeout
                        + ") must be at least three times taskpool.workers.heartbeat-interval (" + heartbeatInterval + ")");
            }
        }
        if (inheritedEnvironment != null) {
            WorkerEnvironment.checkAllowList(inheritedEnvironment);
            inheritedEnvironment = List.copyOf(inheritedEnvironment);
        }
        if (startTimeout != null && startTimeout.toMillis() < 100) {
            throw new IllegalArgumentException("taskpool.workers.start-timeout must be at least 100ms, was " + startTimeout);
        }
    }

    /** The number of workers, with 0 resolved to the processors this JVM may use (the container's CPU limit). */
    public int effectiveCount() {
        return count > 0 ? count : Runtime.getRuntime().availableProcessors();
    }
}
