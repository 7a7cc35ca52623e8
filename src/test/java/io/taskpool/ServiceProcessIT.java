package io.taskpool;

import static io.restassured.RestAssured.given;
import static io.taskpool.support.TaskRequests.submit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.restassured.response.Response;
import io.taskpool.support.Processes;
import io.taskpool.support.ServiceProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service as its own process, killed with SIGKILL: its workers must not outlive it, and
 * every task it accepted must still be there after a restart, and finish. The runs the kill cut
 * short are not the tasks' fault: they run again although each task allows one attempt only.
 */
class ServiceProcessIT {

    @TempDir
    Path workDir;

    private ServiceProcess start(String nodeId) throws Exception {
        return ServiceProcess.start(workDir,
                List.of("-cp", ServiceProcess.buildClassPath(), TaskpoolApplication.class.getName()),
                List.of("--taskpool.node-id=" + nodeId, "--taskpool.workers.count=2", "--taskpool.tasks.max-attempts=1",
                        "--taskpool.workers.max-heap=64MB"));
    }

    @Test
    void killNineLeavesNoOrphansAndLosesNoAcceptedTask() throws Exception {
        List<String> accepted = new ArrayList<>();
        List<String> runningAtKill;
        List<Long> workerPids;
        Instant killedAtWallClock;
        try (ServiceProcess service = start("first-life")) {
            for (int i = 0; i < 2; i++) {
                accepted.add(submit(service.port, Map.of("type", "sleep", "input", Map.of("ms", 15_000))));
            }
            String[] pool = new String[1];
            try {
                await().atMost(Duration.ofSeconds(30)).until(() -> {
                    Response workers = given().port(service.port).get("/api/v1/workers");
                    pool[0] = workers.asString();
                    return workers.<Integer>path("busy") == 2;
                });
            } catch (RuntimeException e) {
                throw new AssertionError("pool never had both workers busy: " + pool[0] + "\n"
                        + java.nio.file.Files.readString(service.log()), e);
            }
            for (int i = 0; i < 40; i++) {
                accepted.add(submit(service.port, Map.of("type", "hash.sha256", "input", Map.of("text", "t" + i))));
            }
            List<Number> pids = given().port(service.port).get("/api/v1/workers").then().extract()
                    .path("workers.pid");
            workerPids = pids.stream().map(Number::longValue).toList();
            assertThat(workerPids).hasSize(2).allMatch(Processes::isRunning);

            // One read just before the kill: on a loaded machine, one read per task took long enough for
            // the sleeps to end and for tasks read as RUNNING to finish before the kill.
            runningAtKill = given().port(service.port).queryParam("state", "RUNNING").queryParam("limit", 1000)
                    .get("/api/v1/tasks").then().statusCode(200).extract().path("items.id");
            assertThat(runningAtKill).as("tasks running when the service is killed").isNotEmpty();
            killedAtWallClock = Instant.now();
            service.kill();

            long killedAt = System.nanoTime();
            await().atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(10))
                    .until(() -> workerPids.stream().noneMatch(Processes::isRunning));
            System.out.printf("workers gone %d ms after the service was killed%n",
                    (System.nanoTime() - killedAt) / 1_000_000);
        }

        // A new node id, as a container gets a new host name: the embedded store still belongs to us.
        try (ServiceProcess restarted = start("second-life")) {
            for (String id : accepted) {
                Response task = await().atMost(Duration.ofSeconds(60)).until(
                        () -> given().port(restarted.port).queryParam("waitMs", 5000).get("/api/v1/tasks/{id}", id)
                                .then().statusCode(200).extract().response(),
                        response -> "SUCCEEDED".equals(response.path("state")));
                assertThat(task.<String>path("id")).isEqualTo(id);
            }
            // Those that were running when the service died ran again as attempt 2, their lost run
            // recorded as NODE_LOST and not counted against maxAttempts 1; one that still finished
            // between the read and the kill (its finishedAt says so) was not running then.
            int rerun = 0;
            for (String id : runningAtKill) {
                Response task = given().port(restarted.port).get("/api/v1/tasks/{id}", id).then().extract().response();
                boolean finishedBeforeKill = task.<Integer>path("attempt") == 1
                        && Instant.parse(task.path("finishedAt")).isBefore(killedAtWallClock);
                if (!finishedBeforeKill) {
                    rerun++;
                    assertThat(task.<Integer>path("maxAttempts")).isEqualTo(1);
                    assertThat(task.<Integer>path("attempt")).as("attempt of %s", id).isEqualTo(2);
                    assertThat(task.<String>path("attempts[0].error.code")).isEqualTo("NODE_LOST");
                    assertThat(task.<String>path("attempts[0].error.message"))
                            .startsWith("the service stopped while the task was running");
                }
            }
            assertThat(rerun).as("tasks cut short by the kill and run again").isPositive();
        }
    }
}
