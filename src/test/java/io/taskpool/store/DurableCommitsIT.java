package io.taskpool.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.restassured.http.ContentType;
import io.taskpool.support.ServiceTest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * Holds the durable commits per task where they are: a submission and an outcome each need one,
 * shared with whatever else commits at that moment; a claim, the worker's pid and the like need
 * none. A change that adds a durable write per task fails here, whatever the machine's speed: the
 * figure counted is {@code taskpool.store.commits}, not time.
 */
class DurableCommitsIT extends ServiceTest {

    private double commits() {
        String scrape = management().get("/actuator/prometheus").then().statusCode(200).extract().asString();
        return scrape.lines().filter(line -> line.startsWith("taskpool_store_commits_total"))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum();
    }

    private String submit(long waitMs) {
        return api().contentType(ContentType.JSON).body(Map.of("type", "noop")).queryParam("waitMs", waitMs)
                .post("/api/v1/tasks").then().statusCode(org.hamcrest.Matchers.anyOf(
                        org.hamcrest.Matchers.is(200), org.hamcrest.Matchers.is(202)))
                .extract().path("id");
    }

    @Test
    void aLoneTaskCostsOneDurableCommitOnTheWayInAndOneOnTheWayOut() {
        int tasks = 100;
        double before = commits();
        for (int i = 0; i < tasks; i++) {
            String id = submit(30_000);
            assertThat(task(id).path("state").toString()).isEqualTo("SUCCEEDED");
        }
        double perTask = (commits() - before) / tasks;
        // Exactly 2 when nothing else commits; a retention sweep or the like may add a few.
        assertThat(perTask).isBetween(2.0, 2.1);
    }

    @Test
    void concurrentSubmissionsShareTheirCommits() throws Exception {
        int tasks = 1000;
        double before = commits();
        ExecutorService clients = Executors.newFixedThreadPool(32);
        List<String> ids;
        try {
            List<Future<String>> submitted = new ArrayList<>();
            for (int i = 0; i < tasks; i++) {
                submitted.add(clients.submit(() -> submit(0)));
            }
            ids = new ArrayList<>();
            for (Future<String> id : submitted) {
                ids.add(id.get());
            }
        } finally {
            clients.shutdownNow();
        }
        await().atMost(DEADLINE).pollInterval(java.time.Duration.ofMillis(20)).until(() -> {
            io.restassured.response.Response queue = api().get("/api/v1/queue").then().extract().response();
            return queue.<Integer>path("queued") == 0 && queue.<Integer>path("running") == 0;
        });
        assertThat(ids).hasSize(tasks).allSatisfy(id -> assertThat(task(id).<String>path("state")).isEqualTo("SUCCEEDED"));
        double perTask = (commits() - before) / tasks;
        assertThat(perTask).isLessThanOrEqualTo(2.0).isGreaterThan(0.0);
    }
}
