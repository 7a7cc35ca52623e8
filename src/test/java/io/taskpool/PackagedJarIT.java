package io.taskpool;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.restassured.http.ContentType;
import io.taskpool.support.ServiceProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service started the ways users start it: {@code java -jar target/taskpool.jar}, from the
 * jar extracted with {@code -Djarmode=tools extract} (the container image's layout), and from the
 * jar unpacked as it is. Its workers must start from each layout and run a task.
 */
class PackagedJarIT {

    @TempDir
    Path workDir;

    private static Path jar() {
        Path jar = Path.of(System.getProperty("taskpool.jar", "target/taskpool.jar")).toAbsolutePath();
        assertThat(jar).as("the packaged jar (run through 'mvnw verify')").exists();
        return jar;
    }

    @Test
    void runsFromTheExecutableJar() throws Exception {
        try (ServiceProcess service = ServiceProcess.start(workDir, List.of("-jar", jar().toString()), List.of())) {
            assertRunsATask(service);
            // The default store lives under ./data of the working directory.
            assertThat(workDir.resolve("data")).isDirectory();
        }
    }

    @Test
    void runsFromTheExtractedJar() throws Exception {
        Path extracted = workDir.resolve("extracted");
        Process extract = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djarmode=tools", "-jar", jar().toString(), "extract", "--destination", extracted.toString())
                .inheritIO().start();
        assertThat(extract.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(extract.exitValue()).isZero();
        Path appJar = extracted.resolve("taskpool.jar");
        assertThat(appJar).exists();
        try (ServiceProcess service = ServiceProcess.start(workDir, List.of("-jar", appJar.toString()), List.of())) {
            assertRunsATask(service);
        }
    }

    @Test
    void runsFromTheUnpackedJar() throws Exception {
        Path unpacked = workDir.resolve("unpacked");
        try (java.util.jar.JarFile jar = new java.util.jar.JarFile(jar().toFile())) {
            for (var entries = jar.entries(); entries.hasMoreElements(); ) {
                java.util.jar.JarEntry entry = entries.nextElement();
                Path target = unpacked.resolve(entry.getName()).normalize();
                if (entry.isDirectory()) {
                    Files.createDirectories(target);
                } else {
                    Files.createDirectories(target.getParent());
                    try (var in = jar.getInputStream(entry)) {
                        Files.copy(in, target);
                    }
                }
            }
        }
        try (ServiceProcess service = ServiceProcess.start(workDir,
                List.of("-cp", unpacked.toString(), "org.springframework.boot.loader.launch.JarLauncher"), List.of())) {
            assertRunsATask(service);
        }
    }

    private static void assertRunsATask(ServiceProcess service) throws Exception {
        String state = given().port(service.port).contentType(ContentType.JSON).queryParam("waitMs", 30000)
                .body(Map.of("type", "primes.count", "input", Map.of("below", 100_000)))
                .post("/api/v1/tasks")
                .then().statusCode(200).extract().path("result.count").toString();
        assertThat(state).isEqualTo("9592");
        assertThat(Files.readString(service.log())).contains("All ");
    }
}
