package io.taskpool.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.taskpool.worker.ProgramProperties;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.validation.autoconfigure.ValidationAutoConfiguration;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.PropertySource;
import org.springframework.core.io.ByteArrayResource;
import org.springframework.core.io.FileSystemResource;

/** {@code taskpool.programs.*}: binding, the shipped example and the start-up checks. */
class ProgramPropertiesBindingTest {

    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties(TaskpoolProperties.class)
    static class PropertiesOnly {}

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(ValidationAutoConfiguration.class))
            .withUserConfiguration(PropertiesOnly.class);

    @Test
    void noProgramsByDefault() {
        runner.run(context -> {
            TaskpoolProperties properties = context.getBean(TaskpoolProperties.class);
            assertThat(properties.programs()).isEmpty();
            assertThat(properties.defaultTimeouts()).isEmpty();
        });
    }

    @Test
    void theShippedExampleBinds() {
        runner.withInitializer(context -> context.getEnvironment().getPropertySources()
                        .addFirst(yaml(Path.of("examples/python/application-examples.yaml"))))
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    TaskpoolProperties properties = context.getBean(TaskpoolProperties.class);
                    ProgramProperties wordfreq = properties.programs().get("wordfreq");

                    assertThat(wordfreq.argv()).containsExactly("python3", "examples/python/wordfreq.py");
                    assertThat(wordfreq.description()).startsWith("Word frequencies");
                    assertThat(wordfreq.env()).isEqualTo(Map.of("PYTHONUNBUFFERED", "1"));
                    assertThat(wordfreq.timeout()).isEqualTo(Duration.ofSeconds(30));
                    assertThat(wordfreq.inputSchema()).contains("\"required\": [\"text\"]");
                    assertThat(wordfreq.workingDir()).isNull();
                    assertThat(properties.defaultTimeouts()).isEqualTo(Map.of("wordfreq", Duration.ofSeconds(30)));
                    assertThat(properties.inputSchemas()).containsOnlyKeys("wordfreq");
                });
    }

    @Test
    void everySettingBinds() {
        runner.withPropertyValues(
                        "taskpool.programs.[text.words].argv=/usr/bin/wc,-w",
                        "taskpool.programs.[text.words].working-dir=/tmp",
                        "taskpool.programs.[text.words].env.[API_URL]=https://example.org",
                        "taskpool.programs.[text.words].input-schema={\"type\": \"object\"}",
                        "taskpool.programs.plain.argv=cat")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    TaskpoolProperties properties = context.getBean(TaskpoolProperties.class);
                    ProgramProperties words = properties.programs().get("text.words");

                    assertThat(properties.programs()).containsOnlyKeys("text.words", "plain");
                    assertThat(words.argv()).isEqualTo(List.of("/usr/bin/wc", "-w"));
                    assertThat(words.workingDir()).isEqualTo(Path.of("/tmp"));
                    assertThat(words.env()).isEqualTo(Map.of("API_URL", "https://example.org"));
                    assertThat(words.inputSchema()).isEqualTo("{\"type\": \"object\"}");
                    assertThat(words.effectiveDescription()).isEqualTo("Runs /usr/bin/wc -w");
                    assertThat(properties.defaultTimeouts()).isEmpty();
                });
    }

    @Test
    void variableNamesInYaml() {
        String yaml = """
                taskpool:
                  programs:
                    p:
                      argv: [cat]
                      env:
                        PLAIN: a
                        "[WITH_UNDERSCORE]": b
                """;
        runner.withInitializer(context -> context.getEnvironment().getPropertySources().addFirst(yaml(yaml)))
                .run(context -> assertThat(context.getBean(TaskpoolProperties.class).programs().get("p").env())
                        .isEqualTo(Map.of("PLAIN", "a", "WITH_UNDERSCORE", "b")));
    }

    @ParameterizedTest(name = "{0} fails naming {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            taskpool.programs.empty.description=no argv         | taskpool.programs.empty.argv must name the program
            taskpool.programs.[bad name].argv=cat               | 'bad name' is not a task type name
            taskpool.programs.[-dash].argv=cat                  | '-dash' is not a task type name
            taskpool.programs.q.argv[0]=                        | taskpool.programs.q.argv
            taskpool.programs.p.env.[TASKPOOL_TASK_ID]=x        | taskpool.programs.p.env must not set TASKPOOL_TASK_ID
            taskpool.programs.p.env.[1ABC]=x                    | taskpool.programs.p.env: '1ABC' is not a variable name
            taskpool.programs.p.timeout=2h                      | taskpool.programs.p.timeout (PT2H) must not exceed
            taskpool.programs.p.timeout=0s                      | taskpool.programs.p.timeout must be positive
            taskpool.programs.p.input-schema={oops              | taskpool.programs.p.input-schema is not JSON
            taskpool.programs.p.input-schema=[1]                | taskpool.programs.p.input-schema must be a JSON object
            """)
    void aBadProgramFailsStartUpNamingTheProperty(String property, String named) {
        runner.withPropertyValues(property, "taskpool.programs.p.argv=cat").run(context -> {
            assertThat(context).hasFailed();
            assertThat(causeChain(context)).contains(named);
        });
    }

    private static PropertySource<?> yaml(Path file) {
        try {
            return new YamlPropertySourceLoader().load(file.toString(), new FileSystemResource(file)).get(0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static PropertySource<?> yaml(String text) {
        try {
            ByteArrayResource resource = new ByteArrayResource(text.getBytes(StandardCharsets.UTF_8));
            return new YamlPropertySourceLoader().load("test", resource).get(0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String causeChain(AssertableApplicationContext context) {
        StringBuilder text = new StringBuilder();
        for (Throwable t = context.getStartupFailure(); t != null; t = t.getCause()) {
            text.append(t).append('\n');
        }
        return text.toString();
    }
}
