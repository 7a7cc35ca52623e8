package io.taskpool.task;

/**
 * A task type the workers offer, with its one-line description and the JSON Schema of its input
 * as JSON text ({@code null}: any input object is accepted).
 */
public record TaskType(String type, String description, String inputSchema) {}
