package io.taskpool.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class GroupCommitTest {

    private static final Duration DEADLINE = Duration.ofSeconds(10);

    private final ExecutorService callers = Executors.newCachedThreadPool();
    private final List<List<String>> commits = Collections.synchronizedList(new ArrayList<>());
    private final List<String> alone = Collections.synchronizedList(new ArrayList<>());
    private final CountDownLatch firstCommitMayEnd = new CountDownLatch(1);
    private final CountDownLatch firstCommitStarted = new CountDownLatch(1);

    @AfterEach
    void stopCallers() {
        callers.shutdownNow();
    }

    /** Holds the first commit open until the test lets it end, so that others arrive meanwhile. */
    private void commitTogether(List<String> rows) {
        if (firstCommitStarted.getCount() > 0) {
            firstCommitStarted.countDown();
            awaitLatch(firstCommitMayEnd);
        }
        if (rows.contains("bad")) {
            throw new IllegalStateException("refused: bad");
        }
        commits.add(List.copyOf(rows));
    }

    private void commitAlone(String row) {
        if (row.equals("bad")) {
            throw new IllegalStateException("refused alone: bad");
        }
        alone.add(row);
    }

    private static void awaitLatch(CountDownLatch latch) {
        try {
            assertThat(latch.await(DEADLINE.toSeconds(), TimeUnit.SECONDS)).isTrue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Starts callers of the given rows while the first commit (of "first") is held open. */
    private List<CompletableFuture<Void>> writeDuringTheFirstCommit(GroupCommit<String> group, List<String> rows) {
        CompletableFuture<Void> first = CompletableFuture.runAsync(() -> group.write("first"), callers);
        awaitLatch(firstCommitStarted);
        List<CompletableFuture<Void>> writes = new ArrayList<>(List.of(first));
        List<Thread> waiting = Collections.synchronizedList(new ArrayList<>());
        for (String row : rows) {
            writes.add(CompletableFuture.runAsync(() -> {
                waiting.add(Thread.currentThread());
                group.write(row);
            }, callers));
        }
        // Every later caller is parked in write(), waiting for the commit under way.
        await().atMost(DEADLINE).until(() -> waiting.size() == rows.size()
                && waiting.stream().allMatch(thread -> thread.getState() == Thread.State.WAITING));
        firstCommitMayEnd.countDown();
        return writes;
    }

    @Test
    void callersWhoArriveDuringACommitShareTheNextOne() {
        GroupCommit<String> group = new GroupCommit<>(this::commitTogether, this::commitAlone, 100);

        List<CompletableFuture<Void>> writes = writeDuringTheFirstCommit(group, List.of("a", "b", "c", "d"));
        CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).orTimeout(10, TimeUnit.SECONDS).join();

        assertThat(commits).hasSize(2);
        assertThat(commits.get(0)).containsExactly("first");
        assertThat(commits.get(1)).containsExactlyInAnyOrder("a", "b", "c", "d");
        assertThat(alone).isEmpty();
    }

    @Test
    void aCommitHoldsAtMostItsLimit() {
        GroupCommit<String> group = new GroupCommit<>(this::commitTogether, this::commitAlone, 2);

        List<CompletableFuture<Void>> writes = writeDuringTheFirstCommit(group, List.of("a", "b", "c"));
        CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).orTimeout(10, TimeUnit.SECONDS).join();

        assertThat(commits).hasSize(3).allSatisfy(rows -> assertThat(rows).hasSizeLessThanOrEqualTo(2));
        assertThat(commits.stream().flatMap(List::stream)).containsExactlyInAnyOrder("first", "a", "b", "c");
    }

    @Test
    void aRowThatFailsASharedCommitFailsOnlyItsOwnCaller() {
        GroupCommit<String> group = new GroupCommit<>(this::commitTogether, this::commitAlone, 100);

        List<CompletableFuture<Void>> writes = writeDuringTheFirstCommit(group, List.of("good", "bad"));
        CompletableFuture<Void> good = writes.get(1);
        CompletableFuture<Void> bad = writes.get(2);

        good.orTimeout(10, TimeUnit.SECONDS).join();
        assertThatThrownBy(() -> bad.orTimeout(10, TimeUnit.SECONDS).join())
                .hasRootCauseMessage("refused alone: bad");
        assertThat(alone).containsExactly("good");
    }

    @Test
    void aLoneCallerCommitsAtOnceAndGetsItsOwnFailure() {
        GroupCommit<String> group = new GroupCommit<>(rows -> {
            if (rows.contains("bad")) {
                throw new IllegalStateException("refused: bad");
            }
            commits.add(rows);
        }, this::commitAlone, 100);

        group.write("one");

        assertThat(commits).containsExactly(List.of("one"));
        assertThatThrownBy(() -> group.write("bad")).hasMessage("refused: bad");
        assertThat(alone).isEmpty();
    }
}
