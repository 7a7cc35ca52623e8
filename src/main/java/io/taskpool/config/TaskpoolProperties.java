package io.taskpool.config;

import io.taskpool.api.ApiProperties;
import io.taskpool.api.SecurityProperties;
import io.taskpool.task.BatchProperties;
import io.taskpool.task.ClusterProperties;
import io.taskpool.task.NodeIdentity;
import io.taskpool.task.QueueProperties;
import io.taskpool.task.TaskProperties;
import io.taskpool.worker.ProgramProperties;
import io.taskpool.worker.ShutdownProperties;
import io.taskpool.worker.WorkerProperties;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.NestedConfigurationProperty;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Every {@code taskpool.*} setting, validated at start-up: a bad value stops the service with a
 * message naming the property.
 *
 * @param nodeId this node's name in the store; empty for the host name. What owns the tasks it runs
 *     is this name plus a token unique to each start ({@link NodeIdentity})
 * @param workers the worker pool
 * @param tasks task limits and defaults
 * @param queue the queue
 * @param api the HTTP API
 * @param security API keys, tenants, their quotas and rate limits
 * @param batches batches of many inputs
 * @param cluster replicas sharing one store
 * @param shutdown an orderly stop
 * @param programs task types run by external programs, by type name
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
        @Valid @DefaultValue @NestedConfigurationProperty SecurityProperties security,
        @Valid @DefaultValue @NestedConfigurationProperty BatchProperties batches,
        @Valid @DefaultValue @NestedConfigurationProperty ClusterProperties cluster,
        @Valid @DefaultValue @NestedConfigurationProperty ShutdownProperties shutdown,
        @DefaultValue Map<String, ProgramProperties> programs) {

    public TaskpoolProperties {
        nodeId = nodeId == null ? "" : nodeId.strip();
        programs = programs == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(programs));
        programs.forEach((type, program) -> checkProgram(type, program, tasks));
    }

    /**
     * Time limits by task type for tasks that name no {@code timeoutMs}: the {@code timeout} of
     * each program that sets one. Types not listed use {@code taskpool.tasks.default-timeout}.
     */
    public Map<String, Duration> defaultTimeouts() {
        Map<String, Duration> timeouts = new LinkedHashMap<>();
        programs.forEach((type, program) -> {
            if (program.timeout() != null) {
                timeouts.put(type, program.timeout());
            }
        });
        return Map.copyOf(timeouts);
    }

    /**
     * The input schemas of the program task types that declare one, by type: JSON text, checked
     * at start-up to be a JSON object.
     */
    public Map<String, String> inputSchemas() {
        Map<String, String> schemas = new LinkedHashMap<>();
        programs.forEach((type, program) -> {
            if (program.inputSchema() != null) {
                schemas.put(type, program.inputSchema());
            }
        });
        return Map.copyOf(schemas);
    }

    private static void checkProgram(String type, ProgramProperties program, TaskProperties tasks) {
        if (program == null) {
            throw new IllegalArgumentException("taskpool.programs." + type
                    + ".argv must name the program to run and its arguments");
        }
        program.check(type, tasks == null ? null : tasks.maxTimeout());
    }

    /** Who this start of the process is in the store: the configured name, or the host name. */
    public NodeIdentity nodeIdentity() {
        return nodeId.isEmpty() ? NodeIdentity.startingNow(hostName(), false) : NodeIdentity.startingNow(nodeId, true);
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }
}
