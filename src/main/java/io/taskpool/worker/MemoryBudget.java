package io.taskpool.worker;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The memory the service and its worker JVMs need together, all in one container, and the
 * container's limit it must fit in:
 *
 * <pre>
 *   service heap + workers × (worker heap + worker overhead) + service overhead  ≤  limit
 * </pre>
 *
 * <p>The service heap is the service's own {@code -Xmx} ({@link Runtime#maxMemory()}); the worker
 * heap is {@code taskpool.workers.max-heap}; the two overheads ({@code taskpool.workers.overhead},
 * {@code taskpool.workers.service-overhead}) stand for what a JVM uses besides its heap. Checked
 * once, before the first worker starts: a pool that cannot fit would be killed by the kernel's
 * OOM killer under load, taking the tasks of every worker with it, so the service refuses to start
 * instead and says which settings to change.
 *
 * @param serviceHeap the service's maximum heap, in bytes
 * @param workers how many worker JVMs run
 * @param workerHeap each worker's maximum heap, in bytes
 * @param workerOverhead each worker's memory besides its heap, in bytes
 * @param serviceOverhead the service's memory besides its heap, in bytes
 */
public record MemoryBudget(long serviceHeap, int workers, int spares, long workerHeap, long workerOverhead,
        long serviceOverhead) {

    private static final Logger log = LoggerFactory.getLogger(MemoryBudget.class);
    private static final long MIB = 1024 * 1024;
    /** Where the kernel shows this container's control groups. */
    public static final Path CGROUP_ROOT = Path.of("/sys/fs/cgroup");
    /**
     * A cgroup v1 limit at or above this means none: v1 shows "unlimited" as the largest
     * page-aligned long (9223372036854771712), and no container is given 4 EiB.
     */
    private static final long UNLIMITED_V1 = 1L << 62;

    /** The budget of this service: its own heap, and the pool's size and heaps from the settings. */
    public static MemoryBudget of(WorkerProperties properties, long serviceHeap) {
        return new MemoryBudget(serviceHeap, properties.effectiveCount(), properties.warmSpare() ? 1 : 0,
                properties.maxHeap().toBytes(),
                properties.overhead().toBytes(), properties.serviceOverhead().toBytes());
    }

    /** What the service and all its workers may use at most, in bytes. */
    public long total() {
        // A spare runs no task, so its heap stays at its start-up size, which the overhead covers.
        return serviceHeap + workers * (workerHeap + workerOverhead) + spares * workerOverhead + serviceOverhead;
    }

    /**
     * Logs the budget against the limit, or throws if it does not fit.
     *
     * @param limit the container's memory limit in bytes; empty when there is none
     * @throws IllegalStateException if the budget is larger than the limit
     */
    public void check(OptionalLong limit) {
        if (limit.isEmpty()) {
            log.info("memory budget: {} (no container memory limit)", describe());
            return;
        }
        String summary = describe() + " of limit " + mib(limit.getAsLong());
        if (total() > limit.getAsLong()) {
            throw new IllegalStateException("The worker pool does not fit in the container's memory: " + summary
                    + ". Lower taskpool.workers.count, taskpool.workers.max-heap or the service's -Xmx, or raise"
                    + " the container's memory limit; the service will not start. (The overheads are"
                    + " taskpool.workers.overhead and taskpool.workers.service-overhead.)");
        }
        log.info("memory budget: {}", summary);
    }

    /** "service heap 512 MiB + 2 workers × (256 MiB + 40 MiB) + 150 MiB = 1254 MiB". */
    String describe() {
        return "service heap " + mib(serviceHeap) + " + " + workers + (workers == 1 ? " worker" : " workers")
                + " × (" + mib(workerHeap) + " + " + mib(workerOverhead) + ") + "
                + (spares == 0 ? "" : spares + (spares == 1 ? " spare" : " spares") + " × " + mib(workerOverhead) + " + ")
                + mib(serviceOverhead) + " = " + mib(total());
    }

    /**
     * The memory limit of the container this process runs in, from the cgroup files under
     * {@code cgroupRoot}: cgroup v2's {@code memory.max} ("max" when unlimited), else cgroup v1's
     * {@code memory/memory.limit_in_bytes} (a huge number when unlimited). Empty when there is no
     * limit or neither file can be read (not Linux, no cgroup mounted), so that nothing is refused
     * on a guess. The JVM's own container support is not used: it reports the host's memory when
     * there is no limit, which cannot be told apart from a limit.
     */
    public static OptionalLong containerLimit(Path cgroupRoot) {
        Optional<String> v2 = contents(cgroupRoot.resolve("memory.max"));
        if (v2.isPresent()) {
            return v2.get().equals("max") ? OptionalLong.empty() : parse(v2.get(), Long.MAX_VALUE);
        }
        return contents(cgroupRoot.resolve("memory").resolve("memory.limit_in_bytes"))
                .map(v1 -> parse(v1, UNLIMITED_V1))
                .orElse(OptionalLong.empty());
    }

    /** The trimmed text of a cgroup file; empty if it is missing or unreadable. */
    private static Optional<String> contents(Path file) {
        if (!Files.isReadable(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(Files.readString(file).trim());
        } catch (IOException e) {
            log.debug("Cannot read {}", file, e);
            return Optional.empty();
        }
    }

    /** A limit in bytes; empty from {@code unlimited} up, or if the text is not a number. */
    private static OptionalLong parse(String text, long unlimited) {
        try {
            long limit = Long.parseLong(text);
            return limit >= unlimited ? OptionalLong.empty() : OptionalLong.of(limit);
        } catch (NumberFormatException e) {
            log.warn("Unexpected memory limit '{}' in the cgroup files; going on as if there were none", text);
            return OptionalLong.empty();
        }
    }

    /** Whole MiB, rounded up, so that a budget shown as fitting does fit. */
    private static String mib(long bytes) {
        return ((bytes + MIB - 1) / MIB) + " MiB";
    }
}
