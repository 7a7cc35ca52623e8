package io.taskpool.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.assertThatNoException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.util.unit.DataSize;

class MemoryBudgetTest {

    private static final long MIB = 1024 * 1024;

    @TempDir
    Path cgroup;

    /** The Helm chart's defaults: -Xmx512m, 2 workers of 256 MiB, the default overheads. */
    private static MemoryBudget chartDefaults(int workers) {
        return new MemoryBudget(512 * MIB, workers, 1, 256 * MIB, 40 * MIB, 150 * MIB);
    }

    @Test
    void theChartDefaultsFitItsLimit() {
        MemoryBudget budget = chartDefaults(2);

        assertThat(budget.total()).isEqualTo(1294 * MIB);
        assertThat(budget.describe()).isEqualTo(
                "service heap 512 MiB + 2 workers × (256 MiB + 40 MiB) + 1 spare × 40 MiB + 150 MiB = 1294 MiB");
        assertThatNoException().isThrownBy(() -> budget.check(OptionalLong.of(1344 * MIB)));
        assertThatNoException().isThrownBy(() -> budget.check(OptionalLong.of(1294 * MIB)));
        assertThatIllegalStateException().isThrownBy(() -> budget.check(OptionalLong.of(1293 * MIB)));
    }

    @Test
    void aPoolThatDoesNotFitIsRefusedNamingWhatToChange() {
        MemoryBudget budget = chartDefaults(4);

        assertThatIllegalStateException().isThrownBy(() -> budget.check(OptionalLong.of(1280 * MIB)))
                .withMessageContaining("4 workers × (256 MiB + 40 MiB) + 1 spare × 40 MiB + 150 MiB = 1886 MiB of limit 1280 MiB")
                .withMessageContaining("taskpool.workers.count")
                .withMessageContaining("taskpool.workers.max-heap")
                .withMessageContaining("-Xmx");
    }

    @Test
    void withoutALimitAnyBudgetPasses() {
        assertThatNoException().isThrownBy(() -> chartDefaults(1024).check(OptionalLong.empty()));
    }

    @Test
    void theBudgetComesFromTheWorkerSettings() {
        WorkerProperties properties = new WorkerProperties(3, DataSize.ofMegabytes(128), DataSize.ofMegabytes(40),
                DataSize.ofMegabytes(150), List.of(), List.of(), Path.of("plugins"), 0, false, Duration.ofSeconds(2),
                Duration.ofSeconds(30), Duration.ofSeconds(30), Duration.ofSeconds(30), List.of("PATH"),
                new WorkerLimits(null, null, null));

        MemoryBudget budget = MemoryBudget.of(properties, 256 * MIB);

        assertThat(budget).isEqualTo(new MemoryBudget(256 * MIB, 3, 0, 128 * MIB, 40 * MIB, 150 * MIB));
        assertThat(budget.total()).isEqualTo((256 + 3 * 168 + 150) * MIB);
    }

    @Test
    void cgroupV2Limit() throws IOException {
        Files.writeString(cgroup.resolve("memory.max"), "1342177280\n");

        assertThat(MemoryBudget.containerLimit(cgroup)).hasValue(1280 * MIB);
    }

    @Test
    void cgroupV2Unlimited() throws IOException {
        Files.writeString(cgroup.resolve("memory.max"), "max\n");

        assertThat(MemoryBudget.containerLimit(cgroup)).isEmpty();
    }

    @Test
    void cgroupV1Limit() throws IOException {
        Files.createDirectories(cgroup.resolve("memory"));
        Files.writeString(cgroup.resolve("memory/memory.limit_in_bytes"), "1342177280\n");

        assertThat(MemoryBudget.containerLimit(cgroup)).hasValue(1280 * MIB);
    }

    @Test
    void cgroupV1Unlimited() throws IOException {
        Files.createDirectories(cgroup.resolve("memory"));
        Files.writeString(cgroup.resolve("memory/memory.limit_in_bytes"), "9223372036854771712\n");

        assertThat(MemoryBudget.containerLimit(cgroup)).isEmpty();
    }

    @Test
    void noCgroupFilesMeansNoLimit() {
        assertThat(MemoryBudget.containerLimit(cgroup)).isEmpty();
        assertThat(MemoryBudget.containerLimit(cgroup.resolve("missing"))).isEmpty();
    }

    @Test
    void somethingUnreadableInTheFileMeansNoLimit() throws IOException {
        Files.writeString(cgroup.resolve("memory.max"), "lots\n");

        assertThat(MemoryBudget.containerLimit(cgroup)).isEmpty();
    }
}
