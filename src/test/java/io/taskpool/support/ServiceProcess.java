package io.taskpool.support;

import static org.awaitility.Awaitility.await;

import io.restassured.RestAssured;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The service as a separate operating-system process, the way users run it: for tests that kill
 * it with SIGKILL or start it from the packaged jar. Its output goes to a log file in the test's
 * directory, named in every failure.
 */
public final class ServiceProcess implements AutoCloseable {

    private final Process process;
    private final Path log;
    public final int port;
    public final int managementPort;

    private ServiceProcess(Process process, Path log, int port, int managementPort) {
        this.process = process;
        this.log = log;
        this.port = port;
        this.managementPort = managementPort;
    }

    /** The plain class path of this build: classes, test classes (faulty handlers) and dependencies. */
    public static String buildClassPath() throws IOException {
        String dependencies = Files.readString(Path.of("target", "runtime-classpath.txt")).trim();
        return String.join(File.pathSeparator, Path.of("target", "classes").toAbsolutePath().toString(),
                dependencies);
    }

    /**
     * Starts {@code java <launch...> --server.port=... <arguments...>} in {@code workDir} and waits
     * until it is ready (readiness UP: every worker is up).
     */
    public static ServiceProcess start(Path workDir, List<String> launch, List<String> arguments) throws IOException {
        return start(workDir, launch, arguments, Map.of());
    }

    /**
     * As {@link #start(Path, List, List)}, with {@code environment} added to this JVM's
     * environment, for tests of what the service passes on to its workers.
     */
    public static ServiceProcess start(Path workDir, List<String> launch, List<String> arguments,
            Map<String, String> environment) throws IOException {
        int port = freePort();
        int managementPort = freePort();
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx256m");
        command.addAll(launch);
        command.add("--server.port=" + port);
        command.add("--management.server.port=" + managementPort);
        command.addAll(arguments);
        Files.createDirectories(workDir);
        Path log = workDir.resolve("service-" + port + ".log");
        ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(environment);
        Process process = builder.start();
        ServiceProcess service = new ServiceProcess(process, log, port, managementPort);
        try {
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(100))
                    .failFast("the service exited; see " + log, () -> !process.isAlive())
                    .ignoreExceptions()
                    .until(() -> RestAssured.given().port(managementPort).get("/actuator/health/readiness")
                            .statusCode() == 200);
        } catch (RuntimeException e) {
            service.close();
            throw new AssertionError("service did not become ready; log: " + Files.readString(log), e);
        }
        return service;
    }

    public long pid() {
        return process.pid();
    }

    public Path log() {
        return log;
    }

    /** SIGTERM, as Kubernetes stops a pod; waits for the exit and returns its status. */
    public int terminate(Duration wait) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(wait.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("the service did not exit within " + wait + " of SIGTERM; see " + log);
        }
        return process.exitValue();
    }

    /** SIGKILL: no shutdown hook, no chance to tidy up. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
    }
}
