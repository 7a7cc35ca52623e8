package io.taskpool.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.taskpool.support.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The sweep's loop: which cutoff it asks for, that it goes slice by slice to the end, batch items
 * before their batch, that it counts what it deleted, and that it stops when another replica holds
 * the sweep or the node stops. The store is an in-memory stand-in; what the SQL deletes is
 * {@code RetentionStoreContract}'s subject.
 */
class RetentionSweeperTest {

    private static final Duration RETENTION = Duration.ofHours(24);
    private static final int SLICE = 3;

    private final ManualClock clock = new ManualClock(Instant.parse("2026-03-02T10:20:00Z"));
    private final MeterRegistry meters = new SimpleMeterRegistry();
    private final ExpiredRows store = new ExpiredRows();
    private RetentionSweeper sweeper = sweeper(Duration.ofMinutes(1));

    private RetentionSweeper sweeper(Duration interval) {
        return new RetentionSweeper(store, RETENTION, interval, clock, meters, SLICE);
    }

    @AfterEach
    void stop() throws InterruptedException {
        sweeper.close();
    }

    private double deleted(String kind) {
        return meters.get("taskpool.retention.deleted").tag("kind", kind).counter().count();
    }

    @Test
    void theCutoffIsNowMinusTheRetention() {
        sweeper.runOnce();

        assertThat(store.cutoffs).isNotEmpty().containsOnly(Instant.parse("2026-03-01T10:20:00Z"));
    }

    @Test
    void singleTasksGoSliceBySliceUntilASliceComesBackShort() {
        store.singles = 7;

        RetentionSweeper.Sweep sweep = sweeper.runOnce();

        assertThat(sweep).isEqualTo(new RetentionSweeper.Sweep(7, 0, true));
        assertThat(store.calls).containsExactly("tasks 3", "tasks 3", "tasks 1", "batches 0");
        assertThat(deleted("task")).isEqualTo(7);
    }

    @Test
    void aFullLastSliceIsFollowedByAnEmptyOne() {
        store.singles = 6;

        assertThat(sweeper.runOnce().tasks()).isEqualTo(6);
        assertThat(store.calls).containsExactly("tasks 3", "tasks 3", "tasks 0", "batches 0");
    }

    @Test
    void aBatchsItemsGoSliceBySliceThenItsRow() {
        UUID big = UUID.randomUUID();
        UUID empty = UUID.randomUUID();
        store.batches.put(big, 4);
        store.batches.put(empty, 0);

        RetentionSweeper.Sweep sweep = sweeper.runOnce();

        assertThat(sweep).isEqualTo(new RetentionSweeper.Sweep(4, 2, true));
        assertThat(store.calls).containsExactly("tasks 0", "batches 2",
                "items " + big + " 3", "items " + big + " 1", "batch " + big + " 1",
                "items " + empty + " 0", "batch " + empty + " 1");
        assertThat(deleted("task")).isEqualTo(4);
        assertThat(deleted("batch")).isEqualTo(2);
    }

    @Test
    void moreFinishedBatchesThanOneReadAreReadAgainUntilNoneIsLeft() {
        for (int i = 0; i < RetentionSweeper.BATCHES_PER_READ + 1; i++) {
            store.batches.put(UUID.randomUUID(), 1);
        }

        RetentionSweeper.Sweep sweep = sweeper.runOnce();

        assertThat(sweep.batches()).isEqualTo(RetentionSweeper.BATCHES_PER_READ + 1);
        assertThat(store.batches).isEmpty();
        assertThat(store.calls).filteredOn(call -> call.startsWith("batches "))
                .containsExactly("batches " + RetentionSweeper.BATCHES_PER_READ, "batches 1");
    }

    @Test
    void whenAnotherReplicaHoldsTheSweepThisOneLeavesTheRestToIt() {
        store.singles = 7;
        store.busyAfter = 1;
        store.batches.put(UUID.randomUUID(), 1);

        RetentionSweeper.Sweep sweep = sweeper.runOnce();

        assertThat(sweep).isEqualTo(new RetentionSweeper.Sweep(3, 0, false));
        assertThat(store.calls).containsExactly("tasks 3", "tasks busy");
        assertThat(store.singles).isEqualTo(4);
    }

    @Test
    void aStoppingNodeStopsAfterTheSliceInProgress() {
        store.singles = 7;
        store.onDelete = () -> {
            try {
                sweeper.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };

        RetentionSweeper.Sweep sweep = sweeper.runOnce();

        assertThat(sweep).isEqualTo(new RetentionSweeper.Sweep(3, 0, false));
        assertThat(store.calls).containsExactly("tasks 3");
    }

    @Test
    void onceStartedItSweepsAgainAfterEachIntervalAndAfterAFailure() {
        sweeper = sweeper(Duration.ofMillis(20));
        store.failures.set(1);

        sweeper.start();

        // The first sweep fails; the schedule goes on regardless.
        await().atMost(Duration.ofSeconds(10)).until(() -> store.sweeps.get() >= 3);
    }

    /**
     * Rows past their retention, held in memory: a number of single tasks and, per finished batch,
     * its number of items. Records each call as text.
     */
    private static final class ExpiredRows implements RetentionStore {
        int singles;
        final Map<UUID, Integer> batches = new LinkedHashMap<>();
        final List<String> calls = new ArrayList<>();
        final List<Instant> cutoffs = new ArrayList<>();
        /** Answers busy from this many deleting calls on; never when negative. */
        int busyAfter = -1;
        Runnable onDelete = () -> {};
        final AtomicInteger failures = new AtomicInteger();
        final AtomicInteger sweeps = new AtomicInteger();

        private boolean busy() {
            return busyAfter >= 0 && calls.size() >= busyAfter;
        }

        @Override
        public synchronized OptionalInt deleteTasks(Instant cutoff, int limit) {
            sweeps.incrementAndGet();
            if (failures.getAndUpdate(left -> Math.max(0, left - 1)) > 0) {
                throw new IllegalStateException("the store is down");
            }
            cutoffs.add(cutoff);
            if (busy()) {
                calls.add("tasks busy");
                return OptionalInt.empty();
            }
            int deleted = Math.min(limit, singles);
            singles -= deleted;
            calls.add("tasks " + deleted);
            onDelete.run();
            return OptionalInt.of(deleted);
        }

        @Override
        public synchronized List<UUID> finishedBatches(Instant cutoff, int limit) {
            cutoffs.add(cutoff);
            List<UUID> finished = batches.keySet().stream().limit(limit).toList();
            calls.add("batches " + finished.size());
            return finished;
        }

        @Override
        public synchronized OptionalInt deleteItems(UUID batchId, Instant cutoff, int limit) {
            cutoffs.add(cutoff);
            int deleted = Math.min(limit, batches.get(batchId));
            batches.put(batchId, batches.get(batchId) - deleted);
            calls.add("items " + batchId + " " + deleted);
            return OptionalInt.of(deleted);
        }

        @Override
        public synchronized OptionalInt deleteBatch(UUID batchId) {
            int deleted = batches.get(batchId) == 0 ? 1 : 0;
            if (deleted == 1) {
                batches.remove(batchId);
            }
            calls.add("batch " + batchId + " " + deleted);
            return OptionalInt.of(deleted);
        }
    }
}
