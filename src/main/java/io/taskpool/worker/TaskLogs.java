package io.taskpool.worker;

import io.taskpool.task.Task;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The log lines of running tasks that are not in the store yet. A task's lines are handed to the
 * recorder at most every {@link #WRITE_INTERVAL_NANOS}, and the rest when it ends, before its
 * outcome, so a finished task's log is whole. Used by the supervisor thread only.
 */
final class TaskLogs {

    /**
     * A trade-off: a client reading the log lags by up to this, and a chatty task costs at most
     * four writes a second.
     */
    static final long WRITE_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

    private final TaskRecorder recorder;
    private final Map<UUID, Pending> pending = new HashMap<>();

    TaskLogs(TaskRecorder recorder) {
        this.recorder = recorder;
    }

    /**
     * Keeps a line, bounded to what the store keeps anyway (the oldest text goes first), and
     * writes the task's lines at once unless its last write was less than the interval ago.
     */
    void add(Task task, String line, long now) {
        Pending lines = pending.computeIfAbsent(task.id(), id -> new Pending(task, now - WRITE_INTERVAL_NANOS));
        StringBuilder text = lines.text;
        text.append(line == null ? "" : line).append('\n');
        int max = recorder.maxLogChars();
        if (text.length() > max) {
            text.delete(0, text.length() - max);
        }
        if (now - lines.writtenNanos >= WRITE_INTERVAL_NANOS) {
            write(lines, now);
        }
    }

    /** Writes the lines whose interval has passed. */
    void writeDue(long now) {
        for (Pending lines : List.copyOf(pending.values())) {
            if (lines.text.length() > 0 && now - lines.writtenNanos >= WRITE_INTERVAL_NANOS) {
                write(lines, now);
            }
        }
    }

    /** The task ended: the rest of its lines are written now. */
    void writeLast(Task task, long now) {
        Pending lines = pending.remove(task.id());
        if (lines != null) {
            write(lines, now);
        }
    }

    /** The service is stopping: everything kept is written, and nothing more is kept. */
    void writeAll(long now) {
        List.copyOf(pending.values()).forEach(lines -> write(lines, now));
        pending.clear();
    }

    /** When the next write is due, or {@code latest} if none is due before. */
    long nextWriteBefore(long latest) {
        long next = latest;
        for (Pending lines : pending.values()) {
            if (lines.text.length() > 0) {
                next = Math.min(next, lines.writtenNanos + WRITE_INTERVAL_NANOS);
            }
        }
        return next;
    }

    private void write(Pending lines, long now) {
        lines.writtenNanos = now;
        if (lines.text.length() == 0) {
            return;
        }
        String text = lines.text.toString();
        lines.text.setLength(0);
        recorder.logged(lines.task, text);
    }

    /** Lines a running task logged that are not in the store yet. */
    private static final class Pending {
        final Task task;
        final StringBuilder text = new StringBuilder();
        long writtenNanos;

        Pending(Task task, long writtenNanos) {
            this.task = task;
            this.writtenNanos = writtenNanos;
            if (task.attempt() > 1) {
                text.append("--- attempt ").append(task.attempt()).append(" ---\n");
            }
        }
    }
}
