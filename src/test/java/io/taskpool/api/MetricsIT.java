package io.taskpool.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.restassured.http.ContentType;
import io.taskpool.support.ServiceTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Each metric the operations docs name moves when its event happens, as Prometheus scrapes it. */
class MetricsIT extends ServiceTest {

    /** The sum of every sample of {@code name} whose labels include each of {@code labels} ("k=\"v\""). */
    private double metric(String name, String... labels) {
        String scrape = management().get("/actuator/prometheus").then().statusCode(200).extract().asString();
        double sum = 0;
        for (String line : scrape.lines().toList()) {
            if (line.startsWith("#") || !(line.startsWith(name + "{") || line.startsWith(name + " "))) {
                continue;
            }
            String labelPart = line.contains("{") ? line.substring(line.indexOf('{'), line.lastIndexOf('}') + 1) : "";
            boolean matches = true;
            for (String label : labels) {
                matches &= labelPart.contains(label);
            }
            if (matches) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }

    private void submitAndWait(Map<String, ?> body) {
        api().contentType(ContentType.JSON).body(body).queryParam("waitMs", 30000).post("/api/v1/tasks")
                .then().statusCode(200);
    }

    @Test
    void aTaskMovesTheSubmittedFinishedQueueWaitRunAndStoreMetrics() {
        double submitted = metric("taskpool_tasks_submitted_total", "type=\"noop\"");
        double finished = metric("taskpool_tasks_finished_total", "type=\"noop\"", "state=\"SUCCEEDED\"");
        double waited = metric("taskpool_tasks_queue_wait_seconds_count", "type=\"noop\"");
        double ran = metric("taskpool_tasks_run_seconds_count", "type=\"noop\"");
        double inserts = metric("taskpool_store_latency_seconds_count", "operation=\"insert\"");
        double claims = metric("taskpool_store_latency_seconds_count", "operation=\"claim\"");
        double finishes = metric("taskpool_store_latency_seconds_count", "operation=\"finish\"");

        submitAndWait(Map.of("type", "noop"));

        assertThat(metric("taskpool_tasks_submitted_total", "type=\"noop\"")).isEqualTo(submitted + 1);
        await().atMost(DEADLINE).untilAsserted(() -> {
            assertThat(metric("taskpool_tasks_finished_total", "type=\"noop\"", "state=\"SUCCEEDED\""))
                    .isEqualTo(finished + 1);
            assertThat(metric("taskpool_tasks_run_seconds_count", "type=\"noop\"")).isEqualTo(ran + 1);
        });
        assertThat(metric("taskpool_tasks_queue_wait_seconds_count", "type=\"noop\"")).isEqualTo(waited + 1);
        assertThat(metric("taskpool_tasks_queue_wait_seconds_bucket", "type=\"noop\"")).as("a histogram").isPositive();
        assertThat(metric("taskpool_store_latency_seconds_count", "operation=\"insert\"")).isGreaterThan(inserts);
        assertThat(metric("taskpool_store_latency_seconds_count", "operation=\"claim\"")).isGreaterThan(claims);
        assertThat(metric("taskpool_store_latency_seconds_count", "operation=\"finish\"")).isGreaterThan(finishes);
    }

    @Test
    void busyWorkersShowAsRunningTasksAndQueuedOnesByPriority() {
        List<String> ids = new ArrayList<>();
        try {
            for (int i = 0; i < WORKERS; i++) {
                ids.add(submit("sleep", Map.of("ms", 30_000)));
            }
            await().atMost(DEADLINE).until(() -> metric("taskpool_tasks_running") == WORKERS);
            assertThat(metric("taskpool_workers", "state=\"BUSY\"")).isEqualTo(WORKERS);

            ids.add(submit(Map.of("type", "noop", "priority", 7)));

            await().atMost(DEADLINE).until(() -> metric("taskpool_queue_priority_depth", "priority=\"7\"") == 1);
        } finally {
            ids.forEach(id -> api().post("/api/v1/tasks/{id}/cancel", id));
        }
        await().atMost(DEADLINE).until(() -> metric("taskpool_tasks_running") == 0);
    }

    @Test
    void aCrashedWorkerCountsARestartByReasonAndItsReplacementAStart() {
        double crashes = metric("taskpool_workers_restarts_total", "reason=\"crash\"");
        double starts = metric("taskpool_workers_start_seconds_count");

        api().contentType(ContentType.JSON).body(Map.of("type", "test.exit", "input", Map.of("code", 3)))
                .queryParam("waitMs", 30000).post("/api/v1/tasks").then().statusCode(200);

        await().atMost(DEADLINE).untilAsserted(() -> {
            assertThat(metric("taskpool_workers_restarts_total", "reason=\"crash\"")).isEqualTo(crashes + 1);
            assertThat(metric("taskpool_workers_start_seconds_count")).isGreaterThan(starts);
        });
        awaitFullPool();
    }

    @Test
    void livenessHasTheSupervisorAndReadinessTheStoreAndThePool() {
        management().get("/actuator/health/liveness").then().statusCode(200)
                .body("components.workerSupervisor.status", org.hamcrest.Matchers.equalTo("UP"));
        management().get("/actuator/health/readiness").then().statusCode(200)
                .body("components.db.status", org.hamcrest.Matchers.equalTo("UP"))
                .body("components.workerPool.status", org.hamcrest.Matchers.equalTo("UP"));
    }
}
