package io.taskpool.worker;

import static io.restassured.RestAssured.given;
import static io.taskpool.support.TaskRequests.submit;
import static io.taskpool.support.TaskRequests.task;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.restassured.response.Response;
import io.taskpool.support.StandaloneService;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Workers that stop answering (here: frozen with SIGSTOP) are killed after the heartbeat timeout
 * and replaced, busy or idle, and the pool's count of free workers stays right.
 */
class UnresponsiveWorkerIT {

    @Test
    void frozenWorkersAreReplacedAndTheirTasksFail() throws Exception {
        try (ConfigurableApplicationContext context = StandaloneService.start("unresponsive-test",
                "--taskpool.workers.heartbeat-interval=200ms",
                "--taskpool.workers.heartbeat-timeout=3s")) {
            int port = StandaloneService.port(context);
            WorkerPool pool = context.getBean(WorkerPool.class);

            // An idle worker freezes: it is replaced.
            long idlePid = pool.status().workers().get(0).pid();
            freeze(idlePid);
            await().atMost(Duration.ofSeconds(30)).until(() -> pool.status().idle() == 1
                    && pool.status().workers().get(0).pid() != idlePid);
            assertThat(pool.status().restartsByReason().get("unresponsive")).isPositive();

            // One worker, two tasks: the second waits in the queue, not claimed for a worker
            // that does not exist.
            String first = submit(port, Map.of("type", "sleep", "input", Map.of("ms", 30_000)));
            await().atMost(Duration.ofSeconds(30)).until(() -> "RUNNING".equals(task(port, first).path("state")));
            String second = submit(port, Map.of("type", "noop"));
            assertThat(task(port, second).<String>path("state")).isEqualTo("QUEUED");

            // A busy worker freezes: its task fails, the next one runs on the replacement.
            long busyPid = task(port, first).<Number>path("workerPid").longValue();
            freeze(busyPid);
            Response failed = await().atMost(Duration.ofSeconds(30)).until(() -> task(port, first),
                    task -> "FAILED".equals(task.path("state")));
            assertThat(failed.<String>path("error.code")).isEqualTo("WORKER_CRASHED");
            assertThat(failed.<String>path("error.message")).contains("stopped responding");
            given().port(port).queryParam("waitMs", 30000).get("/api/v1/tasks/{id}", second)
                    .then().statusCode(200).body("state", org.hamcrest.Matchers.equalTo("SUCCEEDED"));
        }
    }

    private static void freeze(long pid) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-STOP", Long.toString(pid)).inheritIO().start();
        assertThat(kill.waitFor()).isZero();
    }
}
