package io.taskpool.task;

/** A task type the workers offer, with its one-line description. */
public record TaskType(String type, String description) {}
