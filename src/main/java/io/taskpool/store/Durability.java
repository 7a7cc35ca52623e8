package io.taskpool.store;

import java.util.function.Supplier;

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

    private static final ThreadLocal<Boolean> RELAXED = ThreadLocal.withInitial(() -> Boolean.FALSE);

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

    /** Whether the current thread's commits may stay unwritten for now. */
    static boolean isRelaxed() {
        return RELAXED.get();
    }
}
