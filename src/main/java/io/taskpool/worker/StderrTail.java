package io.taskpool.worker;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The last lines a worker wrote to stderr, kept to explain its death ("the last stderr lines")
 * in the task's error.
 */
final class StderrTail {

    private static final int MAX_LINES = 40;
    private static final int MAX_LINE_CHARS = 500;

    private final Deque<String> lines = new ArrayDeque<>();

    synchronized void add(String line) {
        if (lines.size() == MAX_LINES) {
            lines.removeFirst();
        }
        lines.addLast(line.length() <= MAX_LINE_CHARS ? line : line.substring(0, MAX_LINE_CHARS) + "...");
    }

    synchronized String text() {
        return String.join("\n", lines);
    }
}
