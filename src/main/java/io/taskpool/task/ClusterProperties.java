package io.taskpool.task;

import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Replicas sharing one PostgreSQL store ({@code taskpool.cluster.*}).
 *
 * @param lease how long a replica's claim on a running task lasts without being renewed; the
 *     owner renews it every third of that, and other replicas recover the task once it ran out
 */
public record ClusterProperties(@NotNull @DefaultValue("15s") Duration lease) {

    public ClusterProperties {
        if (lease != null && lease.compareTo(Duration.ofSeconds(3)) < 0) {
            throw new IllegalArgumentException("taskpool.cluster.lease must be at least 3s, was " + lease);
        }
    }
}
