package io.taskpool.task;

import java.time.Instant;

/**
 * One finished attempt of a task: when it ran, on which worker process, and how it ended
 * ({@code error} is null for the attempt that succeeded).
 */
public record TaskAttempt(int attempt, Instant startedAt, Instant finishedAt, Long workerPid, TaskError error) {}
