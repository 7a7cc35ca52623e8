package io.taskpool.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Writes what the embedded H2 database has committed to its file, shared by every caller that
 * needs it at the same moment. H2 turns each write-out into one pass over every B-tree page changed
 * since the last one, so one write-out for many commits costs little more than one for a single
 * commit (the profile put ~30 % of the service's CPU in these passes when every commit made its
 * own).
 *
 * <p>No thread of its own, like {@link GroupCommit}: a caller that finds no write-out under way
 * runs one on its own connection; callers arriving meanwhile wait for it to end, and the first of
 * them runs the next one, which covers all of them. A write-out covers every commit made before it
 * started, so each caller returns only after one that started after its own commit.
 */
final class FileFlush {

    private final Object lock = new Object();
    /** Callers so far; each takes the next number after its commit. */
    private long requested;
    /** Every caller up to this number is covered by a finished write-out. */
    private long written;
    private boolean flushing;
    private final Runnable flushed;

    /** @param flushed called once per write-out this process ran (to count them) */
    FileFlush(Runnable flushed) {
        this.flushed = flushed;
    }

    /** Returns once everything {@code connection}'s session committed so far is in the file. */
    void flush(Connection connection) throws SQLException {
        long covers;
        synchronized (lock) {
            long mine = ++requested;
            boolean interrupted = false;
            while (flushing && written < mine) {
                try {
                    lock.wait();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            if (written >= mine) {
                return;
            }
            flushing = true;
            covers = requested;
        }
        boolean done = false;
        try {
            try (Statement statement = connection.createStatement()) {
                // H2's CHECKPOINT writes the committed changes out to the file (no fsync: a
                // commit then survives the process being killed, as with WRITE_DELAY=0).
                statement.execute("CHECKPOINT");
            }
            done = true;
            flushed.run();
        } finally {
            synchronized (lock) {
                flushing = false;
                if (done) {
                    written = Math.max(written, covers);
                }
                lock.notifyAll();
            }
        }
    }
}
