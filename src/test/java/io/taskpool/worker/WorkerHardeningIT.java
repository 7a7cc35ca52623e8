package io.taskpool.worker;

import static io.restassured.RestAssured.given;
import static io.taskpool.support.TaskRequests.submit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.restassured.response.Response;
import io.taskpool.TaskpoolApplication;
import io.taskpool.support.ServiceProcess;
import io.taskpool.support.TaskRequests;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hardened workers, with the service as its own process so that the test controls its
 * environment: secrets given to the service in every usual way reach neither a worker JVM nor a
 * program, and {@code taskpool.workers.limits} hold in the worker and in its programs.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class WorkerHardeningIT {

    private static final Duration DEADLINE = Duration.ofSeconds(60);
    private static final Path PROC = Path.of("/proc");

    @TempDir
    Path workDir;

    /** Marks every secret value, so that one search finds any of them anywhere. */
    private final String marker = "s3cr3t-" + UUID.randomUUID();

    private ServiceProcess start(List<String> settings, Map<String, String> environment) throws IOException {
        List<String> arguments = new ArrayList<>(List.of("--taskpool.node-id=hardening", "--taskpool.workers.count=1",
                "--taskpool.workers.max-heap=64MB"));
        arguments.addAll(settings);
        return ServiceProcess.start(workDir,
                List.of("-Dtaskpool.example.signing-secret=" + marker + "-system-property", "-cp",
                        ServiceProcess.buildClassPath(), TaskpoolApplication.class.getName()),
                arguments, environment);
    }

    @Test
    void secretsReachNeitherTheWorkerNorItsPrograms() throws Exception {
        // The service's configuration file holds a secret too, as a deployment's often does.
        Files.createDirectories(workDir.resolve("config"));
        Files.writeString(workDir.resolve("config/application.yaml"),
                "taskpool:\n  example:\n    api-key: " + marker + "-config-file\n");
        Map<String, String> environment = Map.of(
                "SPRING_DATASOURCE_PASSWORD", marker + "-datasource-password",
                "TASKPOOL_EXAMPLE_API_KEY", marker + "-api-key",
                "MY_SECRET_TOKEN", marker + "-token",
                "MY_REGION", "eu-test",
                "JAVA_TOOL_OPTIONS", "-Dtaskpool.example.tool-options=" + marker + "-tool-options");

        try (ServiceProcess service = start(List.of(
                        "--taskpool.example.password=" + marker + "-command-line",
                        "--taskpool.workers.inherited-environment=PATH,HOME,LANG,LC_*,MY_*",
                        "--taskpool.programs.print-env.argv=env",
                        "--taskpool.programs.print-env.env.GREETING=hello"),
                environment)) {
            Response done = awaitTerminal(service, submit(service.port, Map.of("type", "print-env", "input", Map.of())));
            assertThat(done.<String>path("state")).as("%s", done.asString()).isEqualTo("SUCCEEDED");
            String programOutput = done.path("result.stdout");

            assertThat(variables(programOutput.lines().toList())).containsEntry("GREETING", "hello")
                    .containsEntry("PATH", System.getenv("PATH"))
                    .doesNotContainKeys("MY_REGION", "MY_SECRET_TOKEN", "SPRING_DATASOURCE_PASSWORD");
            assertThat(programOutput).doesNotContain(marker);

            assumeThat(PROC.resolve("self/environ")).as("/proc (Linux)").isReadable();
            long workerPid = workerPid(service);
            Map<String, String> workerEnvironment = variables(procEntries(workerPid, "environ"));
            assertThat(workerEnvironment).containsEntry("PATH", System.getenv("PATH"))
                    .containsEntry("MY_REGION", "eu-test");
            assertThat(workerEnvironment.keySet()).allMatch(
                    name -> List.of("PATH", "HOME", "LANG", "MY_REGION", "TASKPOOL_WORKER_TOKEN").contains(name)
                            || name.startsWith("LC_"));
            assertThat(String.join("\n", procEntries(workerPid, "environ"))).doesNotContain(marker);
            assertThat(String.join(" ", procEntries(workerPid, "cmdline"))).doesNotContain(marker);
            // The secrets were there to be leaked: the service itself has them.
            assertThat(String.join("\n", procEntries(service.pid(), "environ")))
                    .contains(marker + "-datasource-password", marker + "-token");
        }
    }

    @Test
    void limitsHoldInTheWorkerAndItsPrograms() throws Exception {
        assumeThat(System.getProperty("os.name")).as("limits are applied on Linux").startsWith("Linux");
        assumeThat(Files.isExecutable(Path.of("/usr/bin/prlimit")) || Files.isExecutable(Path.of("/bin/prlimit")))
                .as("util-linux prlimit installed").isTrue();
        // Not above the test's own hard limit: only root may raise one.
        String processes = hardLimit("Max processes").orElse("100000");
        Path writer = Path.of("src/test/resources/programs/write_file.py").toAbsolutePath();

        try (ServiceProcess service = start(List.of(
                        "--taskpool.workers.limits.open-files=64",
                        "--taskpool.workers.limits.processes=" + processes,
                        "--taskpool.workers.limits.file-size=1MB",
                        "--taskpool.programs.limits.argv=cat,/proc/self/limits",
                        "--taskpool.programs.write-file.argv=python3," + writer),
                Map.of())) {
            long workerPid = workerPid(service);
            String workerLimits = Files.readString(PROC.resolve(workerPid + "/limits"));
            assertLimits(workerLimits, processes);

            Response limits = awaitTerminal(service, submit(service.port, Map.of("type", "limits", "input", Map.of())));
            assertThat(limits.<String>path("state")).as("%s", limits.asString()).isEqualTo("SUCCEEDED");
            assertLimits(limits.path("result.stdout"), processes);

            Response small = awaitTerminal(service,
                    submit(service.port, Map.of("type", "write-file", "input", Map.of("bytes", 512 * 1024))));
            assertThat(small.<String>path("state")).as("%s", small.asString()).isEqualTo("SUCCEEDED");
            assertThat(small.<Integer>path("result.written")).isEqualTo(512 * 1024);

            Response large = awaitTerminal(service,
                    submit(service.port, Map.of("type", "write-file", "input", Map.of("bytes", 2 * 1024 * 1024))));
            assertThat(large.<String>path("state")).as("%s", large.asString()).isEqualTo("FAILED");
            assertThat(large.<String>path("error.code")).isEqualTo("TASK_FAILED");
            assertThat(large.<String>path("error.message")).contains("File too large");

            // The program failed, not the worker: the same process takes the next task.
            Response after = awaitTerminal(service, submit(service.port, Map.of("type", "limits", "input", Map.of())));
            assertThat(after.<String>path("state")).isEqualTo("SUCCEEDED");
            assertThat(workerPid(service)).isEqualTo(workerPid);
        }
    }

    private static void assertLimits(String limits, String processes) {
        assertThat(limits).containsPattern("Max open files\\s+64\\s+64\\s")
                .containsPattern("Max file size\\s+1048576\\s+1048576\\s")
                .containsPattern("Max processes\\s+" + processes + "\\s+" + processes + "\\s");
    }

    /** The hard limit named {@code name} in this JVM's /proc/self/limits, if it is a number. */
    private static java.util.Optional<String> hardLimit(String name) throws IOException {
        Matcher matcher = Pattern.compile(Pattern.quote(name) + "\\s+\\S+\\s+(\\d+)")
                .matcher(Files.readString(PROC.resolve("self/limits")));
        return matcher.find() ? java.util.Optional.of(matcher.group(1)) : java.util.Optional.empty();
    }

    private static Response awaitTerminal(ServiceProcess service, String id) {
        return TaskRequests.awaitTerminal(service.port, id, DEADLINE);
    }

    private static long workerPid(ServiceProcess service) {
        List<Number> pids = given().port(service.port).get("/api/v1/workers").then().statusCode(200).extract()
                .path("workers.pid");
        assertThat(pids).hasSize(1).doesNotContainNull();
        return pids.get(0).longValue();
    }

    /** A /proc file of NUL-separated entries: a process's environment or command line. */
    private static List<String> procEntries(long pid, String file) throws IOException {
        String content = new String(Files.readAllBytes(PROC.resolve(pid + "/" + file)), StandardCharsets.UTF_8);
        return List.of(content.split("\0"));
    }

    private static Map<String, String> variables(List<String> entries) {
        Map<String, String> variables = new TreeMap<>();
        entries.stream().filter(entry -> entry.indexOf('=') > 0).forEach(entry -> variables.put(
                entry.substring(0, entry.indexOf('=')), entry.substring(entry.indexOf('=') + 1)));
        return variables;
    }
}
