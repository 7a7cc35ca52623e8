package io.taskpool.task;

import jakarta.validation.constraints.Min;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The queue ({@code taskpool.queue.*}).
 *
 * @param capacity how many tasks may wait at once; past it submissions get 429 with Retry-After
 */
public record QueueProperties(@Min(1) @DefaultValue("100000") int capacity) {}
