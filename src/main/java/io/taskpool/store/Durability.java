package io.taskpool.store;

import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which commits must be durable before their writer goes on. By default every commit is: a
 * submission, an outcome or a cancel is answered only once it would survive a crash. Some writes
 * need not be, because losing them in a crash changes nothing that recovery does not already
 * handle: a claim (a task whose claim is lost is simply still queued, and runs after the
 * restart), which worker took a task, progress, log lines, lease renewals. Those run
 * {@link #relaxed}: on the embedded H2 file they are committed without being written out, and
 * reach the file with the next durable commit or H2's own periodic write, whichever comes first.
 * On PostgreSQL they are committed with {@code synchronous_commit} off, which writes their WAL
 * shortly after, in commit order, without waiting for it.
 */
final class Durability {

    private static final Logger log = LoggerFactory.getLogger(Durability.class);
    private static final ThreadLocal<Boolean> RELAXED = ThreadLocal.withInitial(() -> Boolean.FALSE);
    private static final ThreadLocal<Runnable> WHEN_COMMITTED = new ThreadLocal<>();

    private Durability() {}

    /** Runs {@code writes}, whose commits need not reach the disk before it returns. */
    static <T> T relaxed(Supplier<T> writes) {
        if (RELAXED.get()) {
            return writes.get();
        }
        RELAXED.set(Boolean.TRUE);
        try {
            return writes.get();
        } finally {
            RELAXED.set(Boolean.FALSE);
        }
    }

    /** {@link #relaxed(Supplier)} for writes with no answer. */
    static void relaxed(Runnable writes) {
        relaxed(() -> {
            writes.run();
            return null;
        });
    }

    /**
     * Runs {@code writes}, and {@code committed} as soon as their commit returns: once the rows are
     * visible to other sessions, and on the embedded H2 file before the write-out that makes them
     * durable, which the thread then still waits for. What other threads can do with the rows
     * (claim a task) overlaps with the write-out instead of following it. On PostgreSQL the commit
     * is durable when it returns, so {@code committed} follows both. If the writes end without the
     * data source having seen their commit (one that does not track commits), {@code committed}
     * runs when they end; it does not run if they fail.
     */
    static void whenCommitted(Runnable committed, Runnable writes) {
        WHEN_COMMITTED.set(committed);
        boolean written = false;
        try {
            writes.run();
            written = true;
        } finally {
            Runnable notRunYet = WHEN_COMMITTED.get();
            WHEN_COMMITTED.remove();
            if (written && notRunYet != null) {
                run(notRunYet);
            }
        }
    }

    /** A commit on this thread returned: runs what waits for it, once. */
    static void committed() {
        Runnable committed = WHEN_COMMITTED.get();
        if (committed != null) {
            WHEN_COMMITTED.remove();
            run(committed);
        }
    }

    private static void run(Runnable committed) {
        try {
            committed.run();
        } catch (RuntimeException e) {
            // The rows are committed whatever happens here: the commit must not be reported failed.
            log.error("Rows were committed, but what follows their commit failed", e);
        }
    }

    /** Whether the current thread's commits may stay unwritten for now. */
    static boolean isRelaxed() {
        return RELAXED.get();
    }
}
