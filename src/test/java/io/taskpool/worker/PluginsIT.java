package io.taskpool.worker;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import io.taskpool.support.StandaloneService;
import io.taskpool.support.TaskRequests;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Handler plug-ins end to end: the example plug-in under {@code examples/plugin} is compiled
 * against the SPI jar alone, packed as a jar and dropped into a plug-ins directory; the service
 * offers its type, at start-up or after a rolling restart.
 */
class PluginsIT {

    private static final Duration DEADLINE = Duration.ofSeconds(60);
    private static final Path EXAMPLE = Path.of("examples", "plugin", "src", "main");
    private static final String TYPE = "text.wordcount";

    @TempDir
    static Path build;

    private static Path pluginJar;

    /** Builds the example as its Maven build would: its sources against the SPI, its resources as they are. */
    @BeforeAll
    static void buildTheExamplePlugin() throws IOException {
        Path spi = Path.of("target", "taskpool-spi.jar");
        assertThat(spi).as("the SPI jar of this build (mvn package makes it)").exists();
        Path classes = Files.createDirectories(build.resolve("classes"));
        List<String> args = new ArrayList<>(List.of("--release", "17", "-cp", spi.toString(),
                "-d", classes.toString()));
        try (Stream<Path> sources = Files.walk(EXAMPLE.resolve("java"))) {
            sources.filter(file -> file.toString().endsWith(".java")).forEach(file -> args.add(file.toString()));
        }
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertThat(javac.run(null, null, null, args.toArray(String[]::new))).as("javac exit status").isZero();

        pluginJar = build.resolve("taskpool-text-plugin.jar");
        try (JarOutputStream jar = new JarOutputStream(Files.newOutputStream(pluginJar))) {
            addTree(jar, classes);
            addTree(jar, EXAMPLE.resolve("resources"));
        }
    }

    private static void addTree(JarOutputStream jar, Path root) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
                jar.putNextEntry(new JarEntry(root.relativize(file).toString().replace('\\', '/')));
                Files.copy(file, jar);
                jar.closeEntry();
            }
        }
    }

    private static RequestSpecification api(ConfigurableApplicationContext service) {
        return given().port(StandaloneService.port(service)).accept(ContentType.JSON);
    }

    private static List<String> taskTypes(ConfigurableApplicationContext service) {
        return api(service).get("/api/v1/task-types").then().statusCode(200).extract().path("type");
    }

    private static String submit(ConfigurableApplicationContext service, String type, Map<String, ?> input) {
        return TaskRequests.submit(StandaloneService.port(service), type, input);
    }

    private static Response awaitTerminal(ConfigurableApplicationContext service, String id) {
        return TaskRequests.awaitTerminal(StandaloneService.port(service), id, DEADLINE);
    }

    @Test
    void aJarInThePluginsDirectoryIsATaskTypeWithItsSchema(@TempDir Path plugins) throws IOException {
        Files.copy(pluginJar, plugins.resolve(pluginJar.getFileName()));
        ConfigurableApplicationContext service = StandaloneService.start("plugins-at-start",
                "--taskpool.workers.plugins-dir=" + plugins);
        try {
            assertThat(taskTypes(service)).contains(TYPE, "primes.count");
            api(service).get("/api/v1/task-types").then()
                    .body("find { it.type == 'text.wordcount' }.inputSchema.required", equalTo(List.of("text")));

            String id = submit(service, TYPE, Map.of("text", "The cat and the hat. The end."));
            Response done = awaitTerminal(service, id);
            assertThat(done.<String>path("state")).as("%s", done.asString()).isEqualTo("SUCCEEDED");
            assertThat(done.<Map<String, Integer>>path("result")).isEqualTo(Map.of("words", 7, "distinct", 5));

            api(service).contentType(ContentType.JSON).body(Map.of("type", TYPE, "input", Map.of("txt", "oops")))
                    .post("/api/v1/tasks")
                    .then().statusCode(400).body("detail", equalTo("$: required property 'text' not found"));
        } finally {
            service.close();
        }
    }

    @Test
    void aSparesTaskTypesAreOfferedOnlyOnceItTakesASlot(@TempDir Path plugins) throws IOException {
        ConfigurableApplicationContext service = StandaloneService.start("plugins-spare",
                "--taskpool.workers.plugins-dir=" + plugins, "--taskpool.workers.count=1");
        try {
            long oldSpare = readySpare(service, -1);
            Files.copy(pluginJar, plugins.resolve(pluginJar.getFileName()));
            ProcessHandle.of(oldSpare).orElseThrow().destroyForcibly();
            readySpare(service, oldSpare); // the new spare has seen the jar
            assertThat(taskTypes(service)).as("no slot could run it yet").doesNotContain(TYPE);

            long worker = api(service).get("/api/v1/workers").then().extract().<Number>path("workers[0].pid")
                    .longValue();
            ProcessHandle.of(worker).orElseThrow().destroyForcibly();

            await().atMost(DEADLINE).pollInterval(Duration.ofMillis(100))
                    .until(() -> taskTypes(service).contains(TYPE));
            Response counted = awaitTerminal(service, submit(service, TYPE, Map.of("text", "a b a")));
            assertThat(counted.<Map<String, Integer>>path("result")).isEqualTo(Map.of("words", 3, "distinct", 2));
        } finally {
            service.close();
        }
    }

    /** The pid of a spare that has said hello, once it is not {@code other}. */
    private long readySpare(ConfigurableApplicationContext service, long other) {
        return await().atMost(DEADLINE).pollInterval(Duration.ofMillis(50)).until(() -> {
            Response pool = api(service).get("/api/v1/workers").then().statusCode(200).extract().response();
            Number pid = pool.path("spare.pid");
            return pid != null && "IDLE".equals(pool.path("spare.state")) ? pid.longValue() : null;
        }, pid -> pid != null && pid != other);
    }

    @Test
    void aRollingRestartPicksUpANewJarWithoutFailingQueuedWork(@TempDir Path plugins) throws IOException {
        ConfigurableApplicationContext service = StandaloneService.start("plugins-restart",
                "--taskpool.workers.plugins-dir=" + plugins, "--taskpool.workers.count=2");
        try {
            assertThat(taskTypes(service)).doesNotContain(TYPE);
            List<String> queued = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                queued.add(submit(service, "sleep", Map.of("ms", 300)));
            }
            Files.copy(pluginJar, plugins.resolve(pluginJar.getFileName()));

            Instant requested = Instant.now();
            api(service).post("/api/v1/workers/restart").then().statusCode(202).body("size", equalTo(2));

            await().atMost(DEADLINE).pollInterval(Duration.ofMillis(100))
                    .until(() -> taskTypes(service).contains(TYPE));
            for (String id : queued) {
                Response done = awaitTerminal(service, id);
                assertThat(done.<String>path("state")).as("%s", done.asString()).isEqualTo("SUCCEEDED");
            }
            await().atMost(DEADLINE).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
                Response pool = api(service).get("/api/v1/workers").then().statusCode(200).extract().response();
                assertThat(pool.<Integer>path("restartsByReason.restart")).isEqualTo(2);
                assertThat(pool.<Integer>path("idle")).isEqualTo(2);
                assertThat(pool.<Map<String, Integer>>path("restartsByReason")).containsOnlyKeys("restart");
                // Every process, the warm spare's too, started after the request, with the new jar.
                List<String> started = pool.path("workers.startedAt");
                started.add(pool.path("spare.startedAt"));
                assertThat(started).allSatisfy(at -> assertThat(Instant.parse(at)).isAfter(requested));
            });
            Response counted = awaitTerminal(service, submit(service, TYPE, Map.of("text", "one two two")));
            assertThat(counted.<Map<String, Integer>>path("result")).isEqualTo(Map.of("words", 3, "distinct", 2));
        } finally {
            service.close();
        }
    }
}
