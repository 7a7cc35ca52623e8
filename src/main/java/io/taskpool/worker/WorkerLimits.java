package io.taskpool.worker;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.util.ArrayList;
import java.util.List;
import org.springframework.util.unit.DataSize;

/**
 * Operating-system resource limits each worker JVM starts under ({@code taskpool.workers.limits.*}),
 * inherited by the programs it starts. Unset means no limit of ours: the service's own applies.
 * Each is set as both the soft and the hard limit, so that neither a worker nor a program can
 * raise it again (unless it runs as root).
 *
 * @param openFiles most file descriptors each worker process and each program may hold open (RLIMIT_NOFILE); at least 32, since the worker JVM itself holds a few for its jars and pipes
 * @param processes most processes and threads the service's user may have when a worker or program starts another (RLIMIT_NPROC: counted across every process of that user, the service and all workers included; not enforced for root)
 * @param fileSize largest file each worker process and each program may write (RLIMIT_FSIZE); a write past it fails with EFBIG or kills the writer with SIGXFSZ
 */
public record WorkerLimits(
        @Min(32) @Max(1_048_576) Integer openFiles,
        @Min(1) Integer processes,
        DataSize fileSize) {

    public WorkerLimits {
        if (fileSize != null && fileSize.toBytes() < 1) {
            throw new IllegalArgumentException("taskpool.workers.limits.file-size must be positive, was " + fileSize);
        }
    }

    /** True when at least one limit is set. */
    public boolean any() {
        return openFiles != null || processes != null || fileSize != null;
    }

    /**
     * The options of util-linux {@code prlimit} that set these limits, soft and hard alike:
     * {@code --nofile=N:N}, {@code --nproc=N:N}, {@code --fsize=B:B}; empty when none is set.
     */
    List<String> prlimitOptions() {
        List<String> options = new ArrayList<>(3);
        if (openFiles != null) {
            options.add("--nofile=" + openFiles + ":" + openFiles);
        }
        if (processes != null) {
            options.add("--nproc=" + processes + ":" + processes);
        }
        if (fileSize != null) {
            options.add("--fsize=" + fileSize.toBytes() + ":" + fileSize.toBytes());
        }
        return options;
    }

    /** For the logs: the limits that are set, as {@code open-files=1024, file-size=10MB}. */
    @Override
    public String toString() {
        List<String> set = new ArrayList<>(3);
        if (openFiles != null) {
            set.add("open-files=" + openFiles);
        }
        if (processes != null) {
            set.add("processes=" + processes);
        }
        if (fileSize != null) {
            set.add("file-size=" + fileSize);
        }
        return set.isEmpty() ? "none" : String.join(", ", set);
    }
}
