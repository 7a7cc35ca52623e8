package io.taskpool.task;

/**
 * One item of a batch as its results show it: position in the inputs, state, and the result
 * (SUCCEEDED) or error (any other terminal state).
 */
public record BatchItem(int index, TaskState state, String resultJson, TaskError error) {}
