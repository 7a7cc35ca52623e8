package io.taskpool.worker;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.validation.Valid;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.validation.autoconfigure.ValidationAutoConfiguration;
import org.springframework.context.annotation.Configuration;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/** {@code taskpool.workers.inherited-environment} and {@code taskpool.workers.limits.*}: binding and checks. */
class WorkerHardeningPropertiesTest {

    @Validated
    @ConfigurationProperties("taskpool")
    record Taskpool(@Valid @DefaultValue WorkerProperties workers) {}

    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties(Taskpool.class)
    static class PropertiesOnly {}

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(ValidationAutoConfiguration.class))
            .withUserConfiguration(PropertiesOnly.class);

    @Test
    void byDefaultAFewHarmlessVariablesAndNoLimits() {
        runner.run(context -> {
            WorkerProperties workers = context.getBean(Taskpool.class).workers();

            assertThat(workers.inheritedEnvironment()).containsExactly("PATH", "HOME", "LANG", "LC_*", "TZ", "TMPDIR");
            assertThat(workers.limits().any()).isFalse();
            assertThat(workers.limits().prlimitOptions()).isEmpty();
        });
    }

    @Test
    void limitsBindAndBecomeSoftAndHardPrlimitOptions() {
        runner.withPropertyValues("taskpool.workers.limits.open-files=256", "taskpool.workers.limits.processes=4096",
                        "taskpool.workers.limits.file-size=10MB", "taskpool.workers.inherited-environment=PATH,MY_*")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    WorkerProperties workers = context.getBean(Taskpool.class).workers();

                    assertThat(workers.limits()).isEqualTo(new WorkerLimits(256, 4096, DataSize.ofMegabytes(10)));
                    assertThat(workers.limits().prlimitOptions()).containsExactly("--nofile=256:256",
                            "--nproc=4096:4096", "--fsize=10485760:10485760");
                    assertThat(workers.limits()).hasToString("open-files=256, processes=4096, file-size=10485760B");
                    assertThat(workers.inheritedEnvironment()).containsExactly("PATH", "MY_*");
                });
    }

    @Test
    void oneLimitAloneIsTheOnlyOption() {
        runner.withPropertyValues("taskpool.workers.limits.file-size=1KB").run(context -> assertThat(
                context.getBean(Taskpool.class).workers().limits().prlimitOptions()).containsExactly("--fsize=1024:1024"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "taskpool.workers.limits.open-files=16 | openFiles",
            "taskpool.workers.limits.processes=0 | processes",
            "taskpool.workers.limits.file-size=0B | taskpool.workers.limits.file-size must be positive",
            "taskpool.workers.inherited-environment=PATH,SPRING_DATASOURCE_PASSWORD | 'SPRING_DATASOURCE_PASSWORD' would pass",
            "taskpool.workers.inherited-environment=* | nor a prefix ending in"})
    void invalidSettingsStopTheStartWithAMessageNamingThem(String setting, String message) {
        runner.withPropertyValues(setting).run(context -> {
            assertThat(context).hasFailed();
            Throwable cause = context.getStartupFailure();
            StringBuilder messages = new StringBuilder();
            for (Throwable t = cause; t != null; t = t.getCause()) {
                messages.append(t.getMessage()).append('\n');
            }
            assertThat(messages.toString()).contains(message);
        });
    }
}
