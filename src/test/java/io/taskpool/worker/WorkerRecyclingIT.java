package io.taskpool.worker;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.taskpool.support.StandaloneService;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/** taskpool.workers.max-tasks-per-worker: a fresh process after that many tasks, and no task pays for it. */
class WorkerRecyclingIT {

    @Test
    void workersAreReplacedAfterTheirQuotaOfTasks() {
        try (ConfigurableApplicationContext context = StandaloneService.start("recycling-test",
                "--taskpool.workers.max-tasks-per-worker=2")) {
            int port = StandaloneService.port(context);
            List<Long> pids = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                Response done = given().port(port).contentType(ContentType.JSON).queryParam("waitMs", 30000)
                        .body(Map.of("type", "test.pid")).post("/api/v1/tasks")
                        .then().statusCode(200).extract().response();
                assertThat(done.<String>path("state")).isEqualTo("SUCCEEDED");
                pids.add(done.<Number>path("result.pid").longValue());
            }
            // Two tasks per process, then a new process.
            assertThat(pids.get(0)).isEqualTo(pids.get(1));
            assertThat(pids.get(2)).isEqualTo(pids.get(3)).isNotEqualTo(pids.get(1));
            assertThat(pids.get(4)).isEqualTo(pids.get(5)).isNotEqualTo(pids.get(3));
            // Six tasks, three quotas used up: three recycled processes, and nothing counted as a crash.
            WorkerPool pool = context.getBean(WorkerPool.class);
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
                    .until(() -> pool.status().restartsByReason().getOrDefault("recycle", 0L) == 3L);
            assertThat(pool.status().restartsByReason()).containsOnlyKeys("recycle");
        }
    }
}
