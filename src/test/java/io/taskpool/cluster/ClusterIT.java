package io.taskpool.cluster;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.taskpool.TaskpoolApplication;
import io.taskpool.support.ServiceProcess;
import io.taskpool.support.TaskRequests;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replicas of the service as separate processes sharing one real PostgreSQL: work shared with
 * none run twice, a replica killed with SIGKILL loses nothing, and long polls and cancels work
 * from any replica.
 */
class ClusterIT {

    private static final Logger log = LoggerFactory.getLogger(ClusterIT.class);
    private static final Duration DEADLINE = Duration.ofSeconds(90);

    private static EmbeddedPostgres postgres;

    @TempDir
    Path workDir;

    @BeforeAll
    static void startPostgres() throws IOException {
        postgres = EmbeddedPostgres.start();
    }

    @AfterAll
    static void stopPostgres() throws IOException {
        if (postgres != null) {
            postgres.close();
        }
    }

    /** A replica on the shared database; every test starts from a fresh schema. */
    private ServiceProcess replica(String name) throws IOException {
        return replica(name, List.of("--taskpool.node-id=" + name));
    }

    /** A replica without a node id of its own: it goes by the host name, as every replica on this host does. */
    private ServiceProcess replicaNamedAfterTheHost(String directory) throws IOException {
        return replica(directory, List.of());
    }

    private ServiceProcess replica(String directory, List<String> naming) throws IOException {
        List<String> arguments = new ArrayList<>(naming);
        arguments.addAll(List.of("--spring.datasource.url=" + postgres.getJdbcUrl("postgres", "postgres"),
                "--spring.datasource.username=postgres", "--spring.datasource.password=postgres",
                "--taskpool.workers.count=2", "--taskpool.workers.max-heap=64MB",
                "--taskpool.workers.class-path=" + Path.of("target", "test-classes").toAbsolutePath(),
                "--taskpool.cluster.lease=3s", "--taskpool.queue.capacity=100000"));
        return ServiceProcess.start(workDir.resolve(directory),
                List.of("-cp", ServiceProcess.buildClassPath(), TaskpoolApplication.class.getName()), arguments);
    }

    private static void cleanDatabase() {
        org.flywaydb.core.Flyway.configure().dataSource(postgres.getPostgresDatabase()).cleanDisabled(false)
                .locations("classpath:db/migration").load().clean();
    }

    private static String submit(ServiceProcess replica, Map<String, ?> body) {
        return TaskRequests.submit(replica.port, body);
    }

    private static Response task(ServiceProcess replica, String id) {
        return TaskRequests.task(replica.port, id);
    }

    private static Set<Object> workerPids(ServiceProcess replica) {
        return new HashSet<>(given().port(replica.port).get("/api/v1/workers").then().statusCode(200).extract()
                .jsonPath().getList("workers.pid"));
    }

    @Test
    void replicasShareTheQueueAndRunEveryTaskExactlyOnce() throws Exception {
        cleanDatabase();
        try (ServiceProcess a = replica("replica-a"); ServiceProcess b = replica("replica-b")) {
            Set<Object> pidsOfA = workerPids(a);
            Set<Object> pidsOfB = workerPids(b);
            int count = 1000;
            List<String> ids = new ArrayList<>();
            long start = System.nanoTime();
            ExecutorService clients = Executors.newFixedThreadPool(8);
            try {
                List<Future<String>> submitted = new ArrayList<>();
                for (int i = 0; i < count; i++) {
                    ServiceProcess through = i % 2 == 0 ? a : b;
                    Path marks = workDir.resolve("runs").resolve("task-" + i);
                    submitted.add(clients.submit(() -> submit(through, Map.of("type", "test.flaky",
                            "input", Map.of("dir", marks.toString(), "failures", 0)))));
                }
                for (Future<String> id : submitted) {
                    ids.add(id.get());
                }
            } finally {
                clients.shutdownNow();
            }
            log.info("{} tasks submitted in {} ms", count, (System.nanoTime() - start) / 1_000_000);
            await().atMost(DEADLINE).pollInterval(Duration.ofMillis(250)).until(() -> given().port(a.port)
                    .queryParam("state", "SUCCEEDED").queryParam("limit", 1000).get("/api/v1/tasks").jsonPath()
                    .getList("items").size() == count);
            double seconds = (System.nanoTime() - start) / 1e9;
            log.info("{} tasks through two replicas in {} s: {} tasks/s", count, String.format("%.2f", seconds),
                    Math.round(count / seconds));

            // Every task ran exactly once: one mark per task, and each a first attempt.
            try (Stream<Path> dirs = Files.list(workDir.resolve("runs"))) {
                assertThat(dirs.toList()).hasSize(count).allSatisfy(dir -> {
                    try (Stream<Path> runs = Files.list(dir)) {
                        assertThat(runs.count()).as("runs of %s", dir.getFileName()).isEqualTo(1);
                    }
                });
            }
            List<Object> pids = given().port(b.port).queryParam("limit", 1000).get("/api/v1/tasks").jsonPath()
                    .getList("items.workerPid");
            assertThat(pids).hasSize(count);
            assertThat(pids).as("replica A's workers did work").anyMatch(pidsOfA::contains);
            assertThat(pids).as("replica B's workers did work").anyMatch(pidsOfB::contains);
        }
    }

    @Test
    void tasksOfAReplicaKilledWithSigkillFinishOnAnotherAfterItsLease() throws Exception {
        cleanDatabase();
        try (ServiceProcess survivor = replica("survivor"); ServiceProcess doomed = replica("doomed")) {
            Set<Object> pidsOfDoomed = workerPids(doomed);
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                ids.add(submit(i % 2 == 0 ? survivor : doomed, Map.of("type", "sleep", "input", Map.of("ms", 8000),
                        "maxAttempts", 1)));
            }
            // Four tasks, four workers in all: each replica runs two.
            await().atMost(DEADLINE).until(() -> ids.stream().allMatch(id ->
                    task(survivor, id).path("workerPid") != null));
            List<String> onDoomed = ids.stream()
                    .filter(id -> pidsOfDoomed.contains(task(survivor, id).path("workerPid"))).toList();
            assertThat(onDoomed).isNotEmpty();

            doomed.kill();
            // Those still running when it died (on a slow machine one may have finished before).
            List<String> interrupted = onDoomed.stream()
                    .filter(id -> "RUNNING".equals(task(survivor, id).path("state"))).toList();
            assertThat(interrupted).isNotEmpty();

            for (String id : ids) {
                Response done = await().atMost(DEADLINE).until(() -> task(survivor, id),
                        t -> "SUCCEEDED".equals(t.path("state")));
                if (interrupted.contains(id)) {
                    // The lost run does not count against maxAttempts 1.
                    assertThat(done.<Integer>path("attempt")).isEqualTo(2);
                    assertThat(done.<String>path("attempts[0].error.code")).isEqualTo("NODE_LOST");
                    assertThat(done.<String>path("attempts[0].error.message")).contains("node 'doomed#")
                            .contains("was lost");
                } else if (!onDoomed.contains(id)) {
                    assertThat(done.<Integer>path("attempt")).isEqualTo(1);
                }
            }
        }
    }

    @Test
    void replicasSharingAHostNameOwnTheirTasksApart() throws Exception {
        cleanDatabase();
        try (ServiceProcess survivor = replicaNamedAfterTheHost("survivor");
                ServiceProcess doomed = replicaNamedAfterTheHost("doomed")) {
            String survivorNode = given().port(survivor.port).get("/api/v1/workers").path("node");
            String doomedNode = given().port(doomed.port).get("/api/v1/workers").path("node");
            assertThat(survivorNode).as("one host name, two lives").isNotEqualTo(doomedNode);
            assertThat(survivorNode.substring(0, survivorNode.indexOf('#')))
                    .isEqualTo(doomedNode.substring(0, doomedNode.indexOf('#')));
            Set<Object> pidsOfDoomed = workerPids(doomed);
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                ids.add(submit(i % 2 == 0 ? survivor : doomed, Map.of("type", "sleep", "input", Map.of("ms", 8000))));
            }
            await().atMost(DEADLINE).until(() -> ids.stream().allMatch(id ->
                    task(survivor, id).path("workerPid") != null));
            List<String> onDoomed = ids.stream()
                    .filter(id -> pidsOfDoomed.contains(task(survivor, id).path("workerPid"))).toList();

            doomed.kill();
            long killedAt = System.nanoTime();
            List<String> interrupted = onDoomed.stream()
                    .filter(id -> "RUNNING".equals(task(survivor, id).path("state"))).toList();
            assertThat(interrupted).isNotEmpty();

            // The survivor renews only its own leases: the dead one's run out (3 s) and come back to it.
            for (String id : interrupted) {
                Response done = await().atMost(DEADLINE).until(() -> task(survivor, id),
                        t -> "SUCCEEDED".equals(t.path("state")));
                assertThat(done.<String>path("attempts[0].error.code")).isEqualTo("NODE_LOST");
                assertThat(done.<String>path("attempts[0].error.message")).contains("'" + doomedNode + "' was lost");
            }
            log.info("Tasks of the killed replica finished {} ms after the kill",
                    (System.nanoTime() - killedAt) / 1_000_000);
        }
    }

    @Test
    void longPollAndCancelWorkFromAnyReplica() throws Exception {
        cleanDatabase();
        try (ServiceProcess a = replica("poll-a"); ServiceProcess b = replica("poll-b")) {
            // Long poll and event stream on B of a task that whichever replica runs.
            String shortTask = submit(a, Map.of("type", "sleep", "input", Map.of("ms", 1500)));
            java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
            java.util.concurrent.CompletableFuture<List<String>> events = http.sendAsync(java.net.http.HttpRequest
                            .newBuilder(java.net.URI.create("http://localhost:" + b.port + "/api/v1/tasks/" + shortTask
                                    + "/events")).timeout(Duration.ofSeconds(60)).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofLines())
                    .thenApply(response -> response.body().filter(line -> line.startsWith("data:")).toList());
            long start = System.nanoTime();
            Response done = given().port(b.port).queryParam("waitMs", 30000).get("/api/v1/tasks/{id}", shortTask)
                    .then().statusCode(200).extract().response();
            long waitedMs = (System.nanoTime() - start) / 1_000_000;
            assertThat(done.<String>path("state")).isEqualTo("SUCCEEDED");
            assertThat(waitedMs).isLessThan(20_000);
            // The stream ends after the terminal state, which it learnt although A may have run the task.
            assertThat(events.get(60, java.util.concurrent.TimeUnit.SECONDS)).last().asString()
                    .contains("\"state\":\"SUCCEEDED\"");

            // Cancel through each replica a task that may run on the other: its owner stops it.
            for (ServiceProcess through : List.of(a, b)) {
                String longTask = submit(a, Map.of("type", "sleep", "input", Map.of("ms", 60_000)));
                await().atMost(DEADLINE).until(() -> "RUNNING".equals(task(a, longTask).path("state"))
                        && task(a, longTask).path("workerPid") != null);
                long cancelStart = System.nanoTime();
                given().port(through.port).post("/api/v1/tasks/{id}/cancel", longTask).then().statusCode(200);
                Response cancelled = await().atMost(DEADLINE).until(() -> task(b, longTask),
                        t -> "CANCELLED".equals(t.path("state")));
                log.info("Cancel through {} took {} ms", through.port, (System.nanoTime() - cancelStart) / 1_000_000);
                assertThat(cancelled.<Integer>path("attempt")).isEqualTo(1);
                // No worker of either replica is still on it.
                await().atMost(DEADLINE).until(() -> Stream.of(a, b).noneMatch(replica -> given().port(replica.port)
                        .get("/api/v1/workers").jsonPath().getList("workers.taskId").contains(longTask)));
            }
        }
    }

    @Test
    void everyReplicasTaskEventsReachTheEventStreamsOfEach() throws Exception {
        cleanDatabase();
        try (ServiceProcess a = replica("events-a"); ServiceProcess b = replica("events-b")) {
            List<String> seenOnA = follow(a);
            List<String> seenOnB = follow(b);
            Set<Object> pidsOfA = workerPids(a);
            Set<Object> pidsOfB = workerPids(b);
            // Tasks run wherever a worker is free first: submit until each replica has run some.
            List<String> ids = new ArrayList<>();
            Set<String> ranOn = new HashSet<>();
            for (int round = 0; round < 10 && ranOn.size() < 2; round++) {
                List<String> submitted = IntStream.range(0, 4)
                        .mapToObj(i -> submit(a, Map.of("type", "sleep", "input", Map.of("ms", 300)))).toList();
                ids.addAll(submitted);
                for (String id : submitted) {
                    Object pid = await().atMost(DEADLINE).until(() -> task(a, id),
                            t -> "SUCCEEDED".equals(t.path("state"))).path("workerPid");
                    ranOn.add(pidsOfA.contains(pid) ? "a" : pidsOfB.contains(pid) ? "b" : "unknown " + pid);
                }
            }
            assertThat(ranOn).containsExactlyInAnyOrder("a", "b");
            List<String> ends = ids.stream().map(id -> id + " SUCCEEDED").toList();
            await().atMost(DEADLINE).untilAsserted(() -> assertThat(seenOnA).containsAll(ends));
            await().atMost(DEADLINE).untilAsserted(() -> assertThat(seenOnB).containsAll(ends));

            // A long poll on one replica answers as soon as the other has stored the end.
            for (int i = 0; i < 5; i++) {
                String id = submit(a, Map.of("type", "sleep", "input", Map.of("ms", 200)));
                Response done = given().port(b.port).queryParam("waitMs", 30000).get("/api/v1/tasks/{id}", id)
                        .then().statusCode(200).extract().response();
                java.time.Instant answered = java.time.Instant.now();
                assertThat(done.<String>path("state")).isEqualTo("SUCCEEDED");
                log.info("Long poll on B answered {} ms after the task's end",
                        Duration.between(java.time.Instant.parse(done.path("finishedAt")), answered).toMillis());
            }
        }
    }

    /** The events of {@code GET /api/v1/events} on a replica, as "taskId state", collected as they come. */
    private static List<String> follow(ServiceProcess replica) throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        java.net.http.HttpResponse<Stream<String>> response = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://localhost:" + replica.port
                        + "/api/v1/events")).header("Accept", "text/event-stream").build(),
                java.net.http.HttpResponse.BodyHandlers.ofLines());
        assertThat(response.statusCode()).isEqualTo(200);
        Thread reader = new Thread(() -> response.body().filter(line -> line.startsWith("data:"))
                .map(line -> JsonPath.from(line.substring(5).strip()))
                .forEach(data -> seen.add(data.getString("taskId") + " " + data.getString("state"))),
                "events-of-" + replica.port);
        reader.setDaemon(true);
        reader.start();
        return seen;
    }
}
