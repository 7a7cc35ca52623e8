package io.taskpool.task;

/** The last progress a handler reported: {@code fraction} in 0..1 and an optional message. */
public record TaskProgress(double fraction, String message) {}
