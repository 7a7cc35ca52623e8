package io.taskpool.config;

import io.taskpool.api.ApiProperties;
import io.taskpool.task.BatchProperties;
import io.taskpool.task.QueueProperties;
import io.taskpool.task.TaskProperties;
import io.taskpool.worker.WorkerProperties;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.net.InetAddress;
import java.net.UnknownHostException;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.NestedConfigurationProperty;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Every {@code taskpool.*} setting, validated at start-up: a bad value stops the service with a
 * message naming the property.
 *
 * @param nodeId this node's name in the store (owner of the tasks it runs); defaults to the host name
 * @param workers the worker pool
 * @param tasks task limits and defaults
 * @param queue the queue
 * @param api the HTTP API
 * @param batches batches of many inputs
 */
@Validated
@ConfigurationProperties("taskpool")
public record TaskpoolProperties(
        @NotNull @Pattern(regexp = "[A-Za-z0-9._:-]{0,200}", message = "may hold letters, digits and . _ : - only")
        @DefaultValue("") String nodeId,
        @Valid @DefaultValue @NestedConfigurationProperty WorkerProperties workers,
        @Valid @DefaultValue @NestedConfigurationProperty TaskProperties tasks,
        @Valid @DefaultValue @NestedConfigurationProperty QueueProperties queue,
        @Valid @DefaultValue @NestedConfigurationProperty ApiProperties api,
        @Valid @DefaultValue @NestedConfigurationProperty BatchProperties batches) {

    public TaskpoolProperties {
        if (nodeId == null || nodeId.isBlank()) {
            nodeId = hostName();
        }
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }
}
