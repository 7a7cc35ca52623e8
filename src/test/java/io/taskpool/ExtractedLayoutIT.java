package io.taskpool;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.taskpool.support.ServiceProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The container image's layout, built the way the {@code Dockerfile} builds it: the jar extracted
 * with {@code -Djarmode=tools extract --layers}, each layer copied in turn into one {@code app}
 * directory, a class-data archive made by a training run, and the service started there with
 * {@code -XX:SharedArchiveFile=taskpool.jsa -jar taskpool.jar}. It must load its classes from the
 * archive; its workers must start from {@code taskpool.jar} as it is (not from a copy under
 * /tmp) and run a task, and the pool must be full.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ExtractedLayoutIT {

    /** In the order of the Dockerfile's COPY lines: the least often changed first. */
    private static final List<String> LAYERS =
            List.of("dependencies", "spring-boot-loader", "snapshot-dependencies", "application");

    @TempDir
    Path workDir;

    @Test
    void workersStartFromTheImageLayout() throws Exception {
        Path app = imageLayout();
        assertThat(app.resolve("taskpool.jar")).isRegularFile();
        assertThat(app.resolve("lib")).isDirectory();
        Path archive = trainingRun(app);

        // The image's ENTRYPOINT, with the class loading logged to tell where each class came from.
        try (ServiceProcess service = ServiceProcess.start(app,
                List.of("-XX:SharedArchiveFile=" + archive.getFileName(), "-Xlog:class+load=info:file=classes.log",
                        "-jar", "taskpool.jar"),
                List.of("--taskpool.workers.count=2"))) {
            String state = given().port(service.port).contentType(ContentType.JSON).queryParam("waitMs", 30000)
                    .body(Map.of("type", "noop", "input", Map.of()))
                    .post("/api/v1/tasks")
                    .then().statusCode(200).extract().path("state");
            assertThat(state).isEqualTo("SUCCEEDED");

            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                JsonPath pool = given().port(service.port).get("/api/v1/workers")
                        .then().statusCode(200).extract().jsonPath();
                assertThat(pool.getInt("size")).isEqualTo(2);
                assertThat(pool.getInt("idle")).isEqualTo(2);
                assertThat(pool.getList("workers.pid")).hasSize(2).doesNotContainNull();
                assertThat(pool.getString("spare.state")).isEqualTo("IDLE");
            });

            // The workers and the warm spare run from the exploded classes as they are; nothing is copied out.
            List<String> workerCommands = ProcessHandle.of(service.pid()).orElseThrow().children()
                    .map(child -> child.info().commandLine().orElse(""))
                    .toList();
            assertThat(workerCommands).hasSize(3)
                    .allSatisfy(command -> assertThat(command)
                            .contains(app.resolve("taskpool.jar").toString())
                            .doesNotContain("taskpool-worker-classes-"));
            assertThat(Files.readString(service.log())).contains("memory budget: service heap ");
            // The service's own classes and Spring's came from the archive, not from the jars.
            List<String> loaded = Files.readAllLines(app.resolve("classes.log"));
            assertThat(loaded).anySatisfy(line -> assertThat(line)
                    .contains("io.taskpool.task.TaskService ").contains("source: shared objects file"));
            assertThat(loaded).anySatisfy(line -> assertThat(line)
                    .contains("org.springframework.context.support.AbstractApplicationContext ")
                    .contains("source: shared objects file"));
        }
    }

    /** The Dockerfile's training run: the context is refreshed, the classes it loaded archived. */
    private static Path trainingRun(Path app) throws IOException, InterruptedException {
        Process training = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:ArchiveClassesAtExit=taskpool.jsa", "-Dspring.context.exit=onRefresh", "-jar", "taskpool.jar",
                "--spring.datasource.url=jdbc:h2:mem:training", "--taskpool.workers.count=1")
                .directory(app.toFile()).redirectErrorStream(true)
                .redirectOutput(app.resolve("training.log").toFile()).start();
        assertThat(training.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(training.exitValue()).as(Files.readString(app.resolve("training.log"))).isZero();
        return app.resolve("taskpool.jsa");
    }

    /** {@code extract --layers}, then every layer's contents into {@code app}. */
    private Path imageLayout() throws IOException, InterruptedException {
        Path jar = Path.of(System.getProperty("taskpool.jar", "target/taskpool.jar")).toAbsolutePath();
        assertThat(jar).as("the packaged jar (run through 'mvnw verify')").exists();
        Path layers = workDir.resolve("layers");
        Process extract = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djarmode=tools", "-jar", jar.toString(), "extract", "--layers",
                "--destination", layers.toString())
                .inheritIO().start();
        assertThat(extract.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(extract.exitValue()).isZero();

        Path app = Files.createDirectories(workDir.resolve("app"));
        for (String layer : LAYERS) {
            Path from = layers.resolve(layer);
            assertThat(from).as("layer " + layer).isDirectory();
            copyInto(from, app);
        }
        return app.toRealPath();
    }

    private static void copyInto(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path source : files.toList()) {
                Path target = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }
}
