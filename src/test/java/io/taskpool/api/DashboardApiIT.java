package io.taskpool.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.taskpool.support.ServiceTest;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What the dashboard reads beyond the task API: the label filter, the queue's figures, the
 * workers' memory and running time, and the way in at {@code /}.
 */
class DashboardApiIT extends ServiceTest {

    @Test
    void theTaskListFiltersByLabels() {
        String run = Long.toString(System.nanoTime());
        String both = submit(Map.of("type", "noop", "labels", Map.of("run", run, "tier", "gold_1%")));
        String one = submit(Map.of("type", "noop", "labels", Map.of("run", run)));
        submit(Map.of("type", "noop", "labels", Map.of("run", run + "0", "tier", "gold_1%")));

        assertThat(labelled("run:" + run)).containsExactly(one, both);
        assertThat(labelled("run:" + run, "tier:gold_1%")).containsExactly(both);
        assertThat(labelled("run:" + run, "tier:goldx1x")).as("LIKE wildcards are literal").isEmpty();
        api().queryParam("label", "no-colon").get("/api/v1/tasks")
                .then().statusCode(400).body("detail", containsString("key:value"));
    }

    private List<String> labelled(String... labels) {
        return api().queryParam("label", (Object[]) labels).get("/api/v1/tasks")
                .then().statusCode(200).extract().path("items.id");
    }

    @Test
    void theQueueShowsWhatRunsAndFifteenMinutesOfHistory() {
        String sleeper = submit("sleep", Map.of("ms", 60_000));
        awaitState(sleeper, "RUNNING");
        try {
            JsonPath queue = api().get("/api/v1/queue").then().statusCode(200).extract().jsonPath();
            assertThat(queue.getLong("running")).isGreaterThanOrEqualTo(1);
            assertThat(queue.getLong("intervalSeconds")).isEqualTo(5);
            assertThat(queue.getList("history")).hasSize(180);
            // The claim shows once its five-second interval has closed.
            await().atMost(DEADLINE).until(() -> api().get("/api/v1/queue").then().extract().jsonPath()
                    .getList("history.claimed", Integer.class).stream().mapToInt(Integer::intValue).sum() >= 1);
        } finally {
            api().post("/api/v1/tasks/{id}/cancel", sleeper).then().statusCode(200);
        }
    }

    @Test
    void theQueueCountsQueuedTasksByPriority() {
        // Three sleepers fill the three workers, so the next tasks stay queued.
        List<String> sleepers = List.of(submit("sleep", Map.of("ms", 60_000)), submit("sleep", Map.of("ms", 60_000)),
                submit("sleep", Map.of("ms", 60_000)));
        sleepers.forEach(id -> awaitState(id, "RUNNING"));
        String high = submit(Map.of("type", "noop", "priority", 7));
        try {
            api().get("/api/v1/queue").then().statusCode(200)
                    .body("queuedByPriority.'7'", equalTo(1))
                    .body("running", equalTo(3));
        } finally {
            api().post("/api/v1/tasks/{id}/cancel", high).then().statusCode(200);
            sleepers.forEach(id -> api().post("/api/v1/tasks/{id}/cancel", id).then().statusCode(200));
        }
    }

    @Test
    void aBusyWorkerShowsItsTaskSinceWhenAndEveryWorkerItsMemory() {
        String sleeper = submit("sleep", Map.of("ms", 60_000));
        awaitState(sleeper, "RUNNING");
        try {
            JsonPath pool = api().get("/api/v1/workers").then().statusCode(200).extract().jsonPath();
            Map<String, Object> busy = pool.getMap("workers.find { it.taskId == '" + sleeper + "' }");
            Instant startedAt = Instant.parse(task(sleeper).path("startedAt"));
            assertThat(Instant.parse((String) busy.get("taskStartedAt")))
                    .isBetween(startedAt.minusMillis(1), startedAt.plusMillis(1));
            if (System.getProperty("os.name").startsWith("Linux")) {
                assertThat(pool.getList("workers.rssBytes", Long.class)).allSatisfy(rss ->
                        assertThat(rss).isBetween(1L << 20, 4L << 30));
            }
        } finally {
            api().post("/api/v1/tasks/{id}/cancel", sleeper).then().statusCode(200);
        }
    }

    @Test
    void theRootLeadsToTheDashboardWhoseFilesAreInTheJar() {
        given().redirects().follow(false).get("/").then().statusCode(302)
                .header("Location", containsString("/dashboard/index.html"));
        given().get("/dashboard/index.html").then().statusCode(200).contentType(ContentType.HTML)
                .body(containsString("app.js"));
        given().get("/dashboard/app.js").then().statusCode(200);
    }

    private io.restassured.specification.RequestSpecification given() {
        return io.restassured.RestAssured.given().port(port);
    }
}
