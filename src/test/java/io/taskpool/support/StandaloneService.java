package io.taskpool.support;

import io.taskpool.TaskpoolApplication;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Starts the whole service in this JVM with a context of its own, on random ports with one small
 * worker that has the faulty test handlers on its class path, for tests that need settings or
 * restarts the shared {@link ServiceTest} context cannot give them.
 */
public final class StandaloneService {

    private StandaloneService() {}

    /**
     * Starts the service named {@code name}: node id {@code name} and the in-memory database
     * {@code name}. Each override, {@code --property=value}, replaces the default for that property
     * or adds a new one. They replace rather than follow the defaults because Spring does not let the
     * last of two command-line values win: it joins them with a comma. An override therefore has to
     * spell the property exactly as the default does.
     */
    public static ConfigurableApplicationContext start(String name, String... overrides) {
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("server.port", "0");
        properties.put("management.server.port", "0");
        properties.put("spring.datasource.url", "jdbc:h2:mem:" + name + ";DB_CLOSE_DELAY=-1");
        properties.put("taskpool.node-id", name);
        properties.put("taskpool.workers.count", "1");
        properties.put("taskpool.workers.max-heap", "64MB");
        properties.put("taskpool.workers.class-path", "target/test-classes");
        for (String override : overrides) {
            int equals = override.indexOf('=');
            if (!override.startsWith("--") || equals < 3) {
                throw new IllegalArgumentException("not --property=value: " + override);
            }
            properties.put(override.substring(2, equals), override.substring(equals + 1));
        }
        String[] args = properties.entrySet().stream()
                .map(property -> "--" + property.getKey() + "=" + property.getValue())
                .toArray(String[]::new);
        return new SpringApplicationBuilder(TaskpoolApplication.class).run(args);
    }

    /** The HTTP port the service listens on. */
    public static int port(ConfigurableApplicationContext context) {
        return Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));
    }

    /** The Actuator port, separate from the API's. */
    public static int managementPort(ConfigurableApplicationContext context) {
        return Integer.parseInt(context.getEnvironment().getProperty("local.management.port"));
    }
}
