package io.taskpool.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.validation.autoconfigure.ValidationAutoConfiguration;
import org.springframework.context.annotation.Configuration;
import org.springframework.util.unit.DataSize;

class TaskpoolPropertiesTest {

    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties(TaskpoolProperties.class)
    static class PropertiesOnly {}

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(ValidationAutoConfiguration.class))
            .withUserConfiguration(PropertiesOnly.class);

    @Test
    void theDefaultsBind() {
        runner.run(context -> {
            assertThat(context).hasNotFailed();
            TaskpoolProperties properties = context.getBean(TaskpoolProperties.class);

            assertThat(properties.nodeId()).isEmpty();
            assertThat(properties.nodeIdentity().name()).as("the host name").isNotBlank();
            assertThat(properties.nodeIdentity().named()).isFalse();
            assertThat(properties.workers().count()).isZero();
            assertThat(properties.workers().effectiveCount()).isEqualTo(Runtime.getRuntime().availableProcessors());
            assertThat(properties.workers().maxHeap()).isEqualTo(DataSize.ofMegabytes(256));
            assertThat(properties.workers().overhead()).isEqualTo(DataSize.ofMegabytes(40));
            assertThat(properties.workers().serviceOverhead()).isEqualTo(DataSize.ofMegabytes(150));
            assertThat(properties.workers().jvmOptions()).isEmpty();
            assertThat(properties.workers().classPath()).isEmpty();
            assertThat(properties.workers().heartbeatTimeout()).isEqualTo(Duration.ofSeconds(30));
            assertThat(properties.tasks().defaultTimeout()).isEqualTo(Duration.ofMinutes(5));
            assertThat(properties.tasks().maxTimeout()).isEqualTo(Duration.ofHours(1));
            assertThat(properties.tasks().cancelGrace()).isEqualTo(Duration.ofSeconds(1));
            assertThat(properties.tasks().maxAttempts()).isEqualTo(1);
            assertThat(properties.tasks().maxResult()).isEqualTo(DataSize.ofMegabytes(1));
            assertThat(properties.tasks().retention()).isEqualTo(Duration.ofHours(24));
            assertThat(properties.tasks().retentionSweepInterval()).isEqualTo(Duration.ofMinutes(1));
            assertThat(properties.queue().capacity()).isEqualTo(100_000);
            assertThat(properties.api().maxBody()).isEqualTo(DataSize.ofMegabytes(1));
        });
    }

    @Test
    void setValuesBind() {
        runner.withPropertyValues(
                        "taskpool.node-id=node-1.example:8080",
                        "taskpool.workers.count=3",
                        "taskpool.workers.max-heap=512MB",
                        "taskpool.workers.overhead=64MB",
                        "taskpool.workers.service-overhead=200MB",
                        "taskpool.workers.jvm-options=-XX:+UseSerialGC,-Dfoo=bar",
                        "taskpool.tasks.default-timeout=30s",
                        "taskpool.tasks.max-timeout=2h",
                        "taskpool.tasks.cancel-grace=0s",
                        "taskpool.tasks.retention=7d",
                        "taskpool.tasks.retention-sweep-interval=30s",
                        "taskpool.queue.capacity=10",
                        "taskpool.api.max-body=64KB")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    TaskpoolProperties properties = context.getBean(TaskpoolProperties.class);

                    assertThat(properties.nodeId()).isEqualTo("node-1.example:8080");
                    assertThat(properties.nodeIdentity().name()).isEqualTo("node-1.example:8080");
                    assertThat(properties.nodeIdentity().named()).isTrue();
                    assertThat(properties.workers().count()).isEqualTo(3);
                    assertThat(properties.workers().effectiveCount()).isEqualTo(3);
                    assertThat(properties.workers().maxHeap()).isEqualTo(DataSize.ofMegabytes(512));
                    assertThat(properties.workers().overhead()).isEqualTo(DataSize.ofMegabytes(64));
                    assertThat(properties.workers().serviceOverhead()).isEqualTo(DataSize.ofMegabytes(200));
                    assertThat(properties.workers().jvmOptions()).isEqualTo(List.of("-XX:+UseSerialGC", "-Dfoo=bar"));
                    assertThat(properties.tasks().defaultTimeout()).isEqualTo(Duration.ofSeconds(30));
                    assertThat(properties.tasks().maxTimeout()).isEqualTo(Duration.ofHours(2));
                    assertThat(properties.tasks().cancelGrace()).isZero();
                    assertThat(properties.tasks().retention()).isEqualTo(Duration.ofDays(7));
                    assertThat(properties.tasks().retentionSweepInterval()).isEqualTo(Duration.ofSeconds(30));
                    assertThat(properties.queue().capacity()).isEqualTo(10);
                    assertThat(properties.api().maxBody()).isEqualTo(DataSize.ofKilobytes(64));
                });
    }

    @ParameterizedTest(name = "{0} fails naming {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            taskpool.tasks.default-timeout=2h     | taskpool.tasks.default-timeout (PT2H) must not exceed
            taskpool.tasks.max-timeout=1m         | must not exceed taskpool.tasks.max-timeout (PT1M)
            taskpool.tasks.default-timeout=0s     | taskpool.tasks.default-timeout must be positive
            taskpool.tasks.cancel-grace=-1s       | taskpool.tasks.cancel-grace must be between 0 and 1m
            taskpool.tasks.cancel-grace=2m        | taskpool.tasks.cancel-grace must be between 0 and 1m
            taskpool.tasks.max-attempts=0         | field 'tasks.maxAttempts'
            taskpool.tasks.max-result=10B         | taskpool.tasks.max-result
            taskpool.tasks.retention=0s           | taskpool.tasks.retention must be positive
            taskpool.tasks.retention-sweep-interval=-1s | taskpool.tasks.retention-sweep-interval must be positive
            taskpool.workers.count=-1             | field 'workers.count'
            taskpool.workers.count=5000           | field 'workers.count'
            taskpool.workers.count=many           | taskpool.workers.count
            taskpool.workers.max-heap=1MB         | taskpool.workers.max-heap
            taskpool.workers.overhead=-1MB        | taskpool.workers.overhead
            taskpool.workers.service-overhead=-1MB | taskpool.workers.service-overhead
            taskpool.workers.heartbeat-timeout=1s | taskpool.workers.heartbeat-timeout
            taskpool.queue.capacity=0             | field 'queue.capacity'
            taskpool.api.max-body=100GB           | taskpool.api.max-body
            taskpool.node-id=has space            | field 'nodeId'
            """)
    void aBadValueFailsStartUpNamingTheProperty(String property, String named) {
        runner.withPropertyValues(property).run(context -> {
            assertThat(context).hasFailed();
            assertThat(causeChain(context)).contains(named);
        });
    }

    /** Every message of the start-up failure and its causes, as one text. */
    private static String causeChain(AssertableApplicationContext context) {
        StringBuilder text = new StringBuilder();
        for (Throwable t = context.getStartupFailure(); t != null; t = t.getCause()) {
            text.append(t).append('\n');
        }
        return text.toString();
    }
}
