package io.taskpool.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;

import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.taskpool.support.ServiceTest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Every endpoint of /api/v1/tasks over real HTTP, with real workers behind it. */
class TaskApiIT extends ServiceTest {

    @Test
    void whatAHandlerLogsIsServedAsTheTasksLogInOrder() {
        String id = submit("test.log", Map.of("lines", 50));
        assertThat(awaitTerminal(id).<String>path("state")).isEqualTo("SUCCEEDED");

        String log = api().accept("text/plain").get("/api/v1/tasks/{id}/logs", id)
                .then().statusCode(200)
                .contentType(startsWith("text/plain;charset=UTF-8"))
                .extract().asString();

        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < 50; i++) {
            expected.append("line ").append(i).append('\n');
        }
        assertThat(log).isEqualTo(expected.toString());
    }

    @Test
    void aTaskThatLoggedNothingHasAnEmptyLogAndAnUnknownTaskNone() {
        String id = submit("noop", Map.of());
        awaitTerminal(id);

        given().port(port).get("/api/v1/tasks/{id}/logs", id).then().statusCode(200)
                .contentType(startsWith("text/plain")).body(equalTo(""));
        given().port(port).accept("text/plain").get("/api/v1/tasks/{id}/logs", "0b7f6d3e-2c4a-4f7e-9a51-1f2d3c4b5a69")
                .then().statusCode(404).contentType("application/problem+json");
    }

    @Test
    void aLogLongerThanMaxLogKeepsItsTail() {
        // 200 lines of 8 KiB: well past the default taskpool.tasks.max-log of 1 MiB.
        String id = submit("test.log", Map.of("lines", 200, "width", 8192));
        assertThat(awaitTerminal(id).<String>path("state")).isEqualTo("SUCCEEDED");

        String log = api().accept("text/plain").get("/api/v1/tasks/{id}/logs", id)
                .then().statusCode(200).extract().asString();

        assertThat(log).hasSize(1024 * 1024).endsWith("\n").doesNotContain("line 0x");
        assertThat(log.substring(log.length() - 8193)).startsWith("line 199x");
    }

    @Test
    void submittedTaskRunsAndReportsItsResult() {
        Response accepted = api().contentType(ContentType.JSON)
                .body(Map.of("type", "primes.count", "input", Map.of("below", 1_000_000), "timeoutMs", 60000,
                        "priority", 5, "labels", Map.of("team", "search")))
                .post("/api/v1/tasks")
                .then().statusCode(202)
                .header("Location", startsWith("/api/v1/tasks/"))
                .body("type", equalTo("primes.count"))
                .body("input.below", equalTo(1_000_000))
                .body("priority", equalTo(5))
                .body("timeoutMs", equalTo(60000))
                .body("attempt", equalTo(1))
                .body("labels.team", equalTo("search"))
                .body("createdAt", matchesPattern("\\d{4}-\\d\\d-\\d\\dT.*Z"))
                .extract().response();
        String id = accepted.path("id");
        assertThat(accepted.header("Location")).isEqualTo("/api/v1/tasks/" + id);

        Response done = awaitTerminal(id);
        assertThat(done.<String>path("state")).isEqualTo("SUCCEEDED");
        assertThat(done.<Integer>path("result.count")).isEqualTo(78498);
        assertThat(done.<Object>path("error")).isNull();
        assertThat(done.<Object>path("workerPid")).isNotNull();
        assertThat(done.<String>path("startedAt")).isNotNull();
        assertThat(done.<String>path("finishedAt")).isNotNull();

        api().get("/api/v1/tasks/{id}/result", id).then().statusCode(200).body("count", equalTo(78498));
    }

    @Test
    void inputDefaultsToAnEmptyObjectAndDefaultsApply() {
        String id = submit(Map.of("type", "noop"));
        Response done = awaitTerminal(id);
        assertThat(done.<Map<String, Object>>path("result")).isEmpty();
        assertThat(done.<Integer>path("timeoutMs")).isEqualTo(300_000);
        assertThat(done.<Integer>path("priority")).isZero();
    }

    @Test
    void submitWithWaitAnswers200WithTheFinishedTask() {
        api().contentType(ContentType.JSON).queryParam("waitMs", 20000)
                .body(Map.of("type", "hash.sha256", "input", Map.of("text", "abc")))
                .post("/api/v1/tasks")
                .then().statusCode(200)
                .header("Location", startsWith("/api/v1/tasks/"))
                .body("state", equalTo("SUCCEEDED"))
                .body("result.hex", equalTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
    }

    @Test
    void submitWithWaitAnswers202WhenTheTaskOutlastsTheWait() {
        Response reply = api().contentType(ContentType.JSON).queryParam("waitMs", 200)
                .body(Map.of("type", "sleep", "input", Map.of("ms", 5000)))
                .post("/api/v1/tasks")
                .then().statusCode(202)
                .extract().response();
        assertThat(reply.<String>path("state")).isIn("QUEUED", "RUNNING");
        api().post("/api/v1/tasks/{id}/cancel", reply.<String>path("id")).then().statusCode(200);
    }

    @Test
    void longPollIsWokenByTheStateChange() {
        String id = submit("sleep", Map.of("ms", 300));
        long start = System.nanoTime();
        api().queryParam("waitMs", 30000).get("/api/v1/tasks/{id}", id)
                .then().statusCode(200).body("state", equalTo("SUCCEEDED"));
        long elapsedMs = (System.nanoTime() - start) / 1_000_000;
        // Woken by the task finishing, long before the 30 s wait runs out.
        assertThat(elapsedMs).isLessThan(20_000);
    }

    @Test
    void longPollAnswersWithTheTaskAsItIsWhenTheWaitRunsOut() {
        String id = submit("sleep", Map.of("ms", 10_000));
        api().queryParam("waitMs", 300).get("/api/v1/tasks/{id}", id)
                .then().statusCode(200).body("state", org.hamcrest.Matchers.oneOf("QUEUED", "RUNNING"));
        api().post("/api/v1/tasks/{id}/cancel", id).then().statusCode(200);
    }

    @Test
    void manyClientsCanWaitOnOneTask() throws Exception {
        String id = submit("sleep", Map.of("ms", 500));
        List<Thread> clients = new ArrayList<>();
        List<String> states = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int i = 0; i < 50; i++) {
            Thread client = new Thread(() -> states.add(api().queryParam("waitMs", 30000)
                    .get("/api/v1/tasks/{id}", id).then().statusCode(200).extract().path("state")));
            client.start();
            clients.add(client);
        }
        for (Thread client : clients) {
            client.join(40_000);
        }
        assertThat(states).hasSize(50).containsOnly("SUCCEEDED");
    }

    @Test
    void resultOfAnUnfinishedTaskIs409WithItsState() {
        String id = submit("sleep", Map.of("ms", 10_000));
        api().get("/api/v1/tasks/{id}/result", id)
                .then().statusCode(409)
                .contentType("application/problem+json")
                .body("state", org.hamcrest.Matchers.oneOf("QUEUED", "RUNNING"))
                .body("taskId", equalTo(id))
                .body("detail", containsString("not ready"));
        api().post("/api/v1/tasks/{id}/cancel", id).then().statusCode(200);
    }

    @Test
    void resultWithWaitReturnsTheResultOnceDone() {
        String id = submit("sleep", Map.of("ms", 200));
        api().queryParam("waitMs", 30000).get("/api/v1/tasks/{id}/result", id)
                .then().statusCode(200).body("sleptMs", greaterThanOrEqualTo(200));
    }

    @Test
    void resultOfAFailedTaskIs409WithTheError() {
        String id = submit("test.fail", Map.of("message", "no luck"));
        Response done = awaitTerminal(id);
        assertThat(done.<String>path("state")).isEqualTo("FAILED");
        assertThat(done.<String>path("error.code")).isEqualTo("TASK_FAILED");
        assertThat(done.<String>path("error.message")).isEqualTo("java.lang.IllegalStateException: no luck");
        assertThat(done.<String>path("error.detail")).contains("FaultyHandlers$Fail.run");
        api().get("/api/v1/tasks/{id}/result", id)
                .then().statusCode(409)
                .body("state", equalTo("FAILED"))
                .body("error.code", equalTo("TASK_FAILED"));
    }

    @Test
    void listIsNewestFirstAndFilteredByStateAndType() {
        String first = submit("noop", Map.of("n", 1));
        String second = submit("noop", Map.of("n", 2));
        awaitTerminal(first);
        awaitTerminal(second);
        List<String> ids = api().queryParam("type", "noop").queryParam("state", "SUCCEEDED").queryParam("limit", 1000)
                .get("/api/v1/tasks").then().statusCode(200).extract().path("items.id");
        assertThat(ids).containsSubsequence(second, first);
        List<String> states = api().queryParam("state", "SUCCEEDED").get("/api/v1/tasks")
                .then().statusCode(200).extract().path("items.state");
        assertThat(states).isNotEmpty().containsOnly("SUCCEEDED");
        List<String> types = api().queryParam("type", "noop").get("/api/v1/tasks")
                .then().statusCode(200).extract().path("items.type");
        assertThat(types).isNotEmpty().containsOnly("noop");
    }

    @Test
    void cursorPagesVisitEveryTaskOnceDespiteConcurrentSubmissions() {
        String type = "hash.sha256";
        Set<String> submitted = new HashSet<>();
        for (int i = 0; i < 25; i++) {
            submitted.add(submit(type, Map.of("text", "page-" + i)));
        }
        Set<String> seen = new HashSet<>();
        List<String> order = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            var request = api().queryParam("type", type).queryParam("limit", 7);
            if (cursor != null) {
                request.queryParam("cursor", cursor);
            }
            Response page = request.get("/api/v1/tasks").then().statusCode(200).extract().response();
            List<String> ids = page.path("items.id");
            for (String id : ids) {
                assertThat(seen.add(id)).as("task %s seen twice", id).isTrue();
                order.add(id);
            }
            cursor = page.path("nextCursor");
            // Newer tasks arriving between pages must not shift later pages.
            submit(type, Map.of("text", "interloper-" + pages));
            pages++;
        } while (cursor != null && pages < 100);
        assertThat(seen).containsAll(submitted);
        assertThat(pages).isGreaterThan(3);
    }

    @Test
    void cancelOfAQueuedTaskIsImmediate() {
        // Fill every worker, then queue one more behind them.
        List<String> blockers = new ArrayList<>();
        for (int i = 0; i < WORKERS; i++) {
            blockers.add(submit("sleep", Map.of("ms", 20_000)));
        }
        blockers.forEach(id -> awaitState(id, "RUNNING"));
        String queued = submit("noop", Map.of());
        assertThat(task(queued).<String>path("state")).isEqualTo("QUEUED");

        api().post("/api/v1/tasks/{id}/cancel", queued)
                .then().statusCode(200)
                .body("state", equalTo("CANCELLED"))
                .body("error.code", equalTo("CANCELLED"));
        api().post("/api/v1/tasks/{id}/cancel", queued)
                .then().statusCode(409).contentType("application/problem+json").body("state", equalTo("CANCELLED"));
        blockers.forEach(id -> api().post("/api/v1/tasks/{id}/cancel", id).then().statusCode(200)
                .body("state", equalTo("CANCELLED")));
    }

    @Test
    void higherPriorityRunsFirst() {
        List<String> blockers = new ArrayList<>();
        for (int i = 0; i < WORKERS; i++) {
            blockers.add(submit("sleep", Map.of("ms", 1500)));
        }
        blockers.forEach(id -> awaitState(id, "RUNNING"));
        String low = submit(Map.of("type", "noop", "priority", -5));
        String high = submit(Map.of("type", "noop", "priority", 50));
        Response lowDone = awaitTerminal(low);
        Response highDone = awaitTerminal(high);
        assertThat(java.time.Instant.parse(highDone.path("startedAt")))
                .isBeforeOrEqualTo(java.time.Instant.parse(lowDone.<String>path("startedAt")));
    }

    @Test
    void deleteRemovesOnlyFinishedTasks() {
        String running = submit("sleep", Map.of("ms", 20_000));
        awaitState(running, "RUNNING");
        api().delete("/api/v1/tasks/{id}", running).then().statusCode(409).body("state", equalTo("RUNNING"));
        api().post("/api/v1/tasks/{id}/cancel", running).then().statusCode(200);
        api().delete("/api/v1/tasks/{id}", running).then().statusCode(204);
        api().get("/api/v1/tasks/{id}", running).then().statusCode(404);
        api().delete("/api/v1/tasks/{id}", running).then().statusCode(404);
    }

    @Test
    void taskTypesListWhatTheWorkersOffer() {
        api().get("/api/v1/task-types")
                .then().statusCode(200)
                .body("type", hasItems("noop", "sleep", "primes.count", "pi.montecarlo", "hash.sha256"))
                .body("find { it.type == 'primes.count' }.description", notNullValue());
    }

    @Test
    void workersEndpointShowsEveryWorker() {
        api().get("/api/v1/workers")
                .then().statusCode(200)
                .body("size", equalTo(WORKERS))
                .body("idle", equalTo(WORKERS))
                .body("busy", equalTo(0))
                .body("restarts", greaterThanOrEqualTo(0))
                .body("workers.size()", equalTo(WORKERS))
                .body("workers[0].pid", notNullValue())
                .body("workers[0].state", equalTo("IDLE"))
                .body("workers[0].taskId", nullValue())
                .body("workers[0].startedAt", notNullValue());
    }

    @Test
    void workersRunTasksInParallelOnePerProcess() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < WORKERS; i++) {
            ids.add(submit("sleep", Map.of("ms", 20_000)));
        }
        // All of them run at the same time, each in its own process.
        ids.forEach(id -> awaitState(id, "RUNNING"));
        org.awaitility.Awaitility.await().atMost(DEADLINE).until(() -> {
            Response pool = api().get("/api/v1/workers").then().extract().response();
            return pool.<Integer>path("busy") == WORKERS;
        });
        Response pool = api().get("/api/v1/workers").then().extract().response();
        List<String> running = pool.path("workers.taskId");
        assertThat(running).containsExactlyInAnyOrderElementsOf(ids);
        List<Integer> workerPids = ids.stream().map(id -> task(id).<Integer>path("workerPid")).toList();
        assertThat(new HashSet<>(workerPids)).hasSize(WORKERS).doesNotContainNull();
        ids.forEach(id -> api().post("/api/v1/tasks/{id}/cancel", id).then().statusCode(200));
    }

    @Test
    void progressIsReported() {
        String id = submit("sleep", Map.of("ms", 3000));
        org.awaitility.Awaitility.await().atMost(DEADLINE).until(() -> task(id).path("progress.fraction") != null);
        assertThat(task(id).<Float>path("progress.fraction")).isBetween(0f, 1f);
        api().post("/api/v1/tasks/{id}/cancel", id).then().statusCode(200);
    }
}
