package io.taskpool.store;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Lets concurrent callers share one commit, each still returning only once its own row is
 * committed. A durable commit costs a disk write whatever it holds (H2 with {@code WRITE_DELAY=0},
 * PostgreSQL's WAL flush), so under load one commit per row is what limits submissions.
 *
 * <p>No thread of its own: the first caller to find no commit in progress becomes the leader and
 * writes everything waiting, its own row included; whoever arrives meanwhile waits, and the first
 * of them still unwritten when the commit ends leads the next one. A lone caller therefore writes
 * at once, without a hand-off. If a shared commit fails, each of its rows is written again in a
 * transaction of its own, so one bad row fails only its own caller.
 *
 * @param <T> what one caller writes
 */
final class GroupCommit<T> {

    private final Consumer<List<T>> writeTogether;
    private final Consumer<T> writeAlone;
    private final int maxPerCommit;
    private final Object lock = new Object();
    private List<Entry<T>> waiting = new ArrayList<>();
    private boolean committing;

    /**
     * @param writeTogether writes the rows in one transaction and commits it
     * @param writeAlone writes one row in a transaction of its own, after a shared commit failed
     * @param maxPerCommit rows per commit at most: bounds the transaction and the first caller's wait
     */
    GroupCommit(Consumer<List<T>> writeTogether, Consumer<T> writeAlone, int maxPerCommit) {
        this.writeTogether = writeTogether;
        this.writeAlone = writeAlone;
        this.maxPerCommit = maxPerCommit;
    }

    /** Returns once {@code row} is committed; throws what writing it threw. */
    void write(T row) {
        Entry<T> mine = new Entry<>(row);
        List<Entry<T>> group;
        synchronized (lock) {
            waiting.add(mine);
            boolean interrupted = false;
            while (committing && !mine.done) {
                try {
                    lock.wait();
                } catch (InterruptedException e) {
                    // The row may already be in a commit under way: its outcome must be awaited.
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            if (mine.done) {
                mine.rethrow();
                return;
            }
            committing = true;
            group = take();
        }
        try {
            commit(group);
        } finally {
            synchronized (lock) {
                committing = false;
                lock.notifyAll();
            }
        }
        mine.rethrow();
    }

    private List<Entry<T>> take() {
        if (waiting.size() <= maxPerCommit) {
            List<Entry<T>> all = waiting;
            waiting = new ArrayList<>();
            return all;
        }
        List<Entry<T>> first = new ArrayList<>(waiting.subList(0, maxPerCommit));
        waiting = new ArrayList<>(waiting.subList(maxPerCommit, waiting.size()));
        return first;
    }

    private void commit(List<Entry<T>> group) {
        try {
            writeTogether.accept(group.stream().map(Entry::row).toList());
        } catch (RuntimeException | Error shared) {
            if (group.size() == 1) {
                finish(group.get(0), shared);
                return;
            }
            for (Entry<T> entry : group) {
                try {
                    writeAlone.accept(entry.row);
                    finish(entry, null);
                } catch (RuntimeException | Error alone) {
                    finish(entry, alone);
                }
            }
            return;
        }
        group.forEach(entry -> finish(entry, null));
    }

    private void finish(Entry<T> entry, Throwable failure) {
        synchronized (lock) {
            entry.failure = failure;
            entry.done = true;
        }
    }

    private static final class Entry<T> {
        private final T row;
        private boolean done;
        private Throwable failure;

        Entry(T row) {
            this.row = row;
        }

        T row() {
            return row;
        }

        void rethrow() {
            if (failure instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (failure instanceof Error error) {
                throw error;
            }
        }
    }
}
