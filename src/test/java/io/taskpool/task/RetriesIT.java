package io.taskpool.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.taskpool.support.ServiceTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Retries over real HTTP and real workers: attempts, back-off, what is and is not retried. */
class RetriesIT extends ServiceTest {

    @TempDir
    Path dir;

    private String submitFlaky(int failures, boolean crash, Map<String, Object> options) {
        Map<String, Object> body = new java.util.HashMap<>(options);
        body.put("type", "test.flaky");
        body.put("input", Map.of("dir", dir.toString(), "failures", failures, "crash", crash));
        return submit(body);
    }

    @Test
    void aFailingTaskIsRetriedAfterItsBackOffUntilItSucceedsAndKeepsEveryAttempt() {
        String id = submitFlaky(2, false, Map.of("maxAttempts", 3, "retryBackoffMs", 300));

        Response done = awaitTerminal(id);

        assertThat(done.<String>path("state")).isEqualTo("SUCCEEDED");
        assertThat(done.<Integer>path("result.attempts")).isEqualTo(3);
        assertThat(done.<Integer>path("attempt")).isEqualTo(3);
        assertThat(done.<Integer>path("maxAttempts")).isEqualTo(3);
        assertThat(done.<Object>path("notBefore")).isNull();
        List<Map<String, Object>> attempts = done.jsonPath().getList("attempts");
        assertThat(attempts).extracting(a -> a.get("attempt")).containsExactly(1, 2, 3);
        assertThat(attempts.get(0)).extracting(a -> ((Map<?, ?>) a.get("error")).get("code")).isEqualTo("TASK_FAILED");
        assertThat((String) ((Map<?, ?>) attempts.get(1).get("error")).get("message")).contains("attempt 2 fails");
        assertThat(attempts.get(2).get("error")).isNull();
        assertThat(attempts).allSatisfy(a -> assertThat(a.get("workerPid")).isNotNull());
        // The second retry waited about twice the first: 300 ms, then 600 ms, each ±25%.
        Instant firstEnd = Instant.parse((String) attempts.get(0).get("finishedAt"));
        Instant secondStart = Instant.parse((String) attempts.get(1).get("startedAt"));
        Instant secondEnd = Instant.parse((String) attempts.get(1).get("finishedAt"));
        Instant thirdStart = Instant.parse((String) attempts.get(2).get("startedAt"));
        assertThat(Duration.between(firstEnd, secondStart)).isGreaterThanOrEqualTo(Duration.ofMillis(225));
        assertThat(Duration.between(secondEnd, thirdStart)).isGreaterThanOrEqualTo(Duration.ofMillis(450));
    }

    @Test
    void aQueuedRetryShowsWhenItWillRunAgain() {
        String id = submitFlaky(1, false, Map.of("maxAttempts", 2, "retryBackoffMs", 3000));

        Response waiting = awaitRetryWait(id);

        assertThat(waiting.<Integer>path("attempt")).isEqualTo(2);
        assertThat(Instant.parse(waiting.path("notBefore"))).isAfter(Instant.parse(
                waiting.<String>path("attempts[0].finishedAt")));
        assertThat(awaitTerminal(id).<String>path("state")).isEqualTo("SUCCEEDED");
    }

    private Response awaitRetryWait(String id) {
        Response[] last = new Response[1];
        org.awaitility.Awaitility.await().atMost(DEADLINE).pollInterval(Duration.ofMillis(20)).until(() -> {
            last[0] = task(id);
            return last[0].path("notBefore") != null;
        });
        return last[0];
    }

    @Test
    void aCrashedWorkerIsRetriedOnAFreshOne() {
        String id = submitFlaky(1, true, Map.of("maxAttempts", 2, "retryBackoffMs", 0));

        Response done = awaitTerminal(id);

        assertThat(done.<String>path("state")).isEqualTo("SUCCEEDED");
        assertThat(done.<String>path("attempts[0].error.code")).isEqualTo("WORKER_CRASHED");
        assertThat(done.<Object>path("attempts[1].workerPid")).isNotNull()
                .isNotEqualTo(done.<Object>path("attempts[0].workerPid"));
    }

    @Test
    void withoutMaxAttemptsATaskRunsOnceAndFailsForGood() throws Exception {
        String id = submitFlaky(1, false, Map.of());

        Response done = awaitTerminal(id);

        assertThat(done.<String>path("state")).isEqualTo("FAILED");
        assertThat(done.<Integer>path("maxAttempts")).isEqualTo(1);
        assertThat(done.jsonPath().getList("attempts")).hasSize(1);
        try (var files = Files.list(dir)) {
            assertThat(files.count()).isEqualTo(1);
        }
    }

    @Test
    void aTimeOutIsRetriedOnlyWhenAsked() {
        String notRetried = submit(Map.of("type", "sleep", "input", Map.of("ms", 5000), "timeoutMs", 200,
                "maxAttempts", 3, "retryBackoffMs", 0));
        String retried = submit(Map.of("type", "sleep", "input", Map.of("ms", 5000), "timeoutMs", 200,
                "maxAttempts", 2, "retryBackoffMs", 0, "retryOnTimeout", true));

        Response once = awaitTerminal(notRetried);
        Response twice = awaitTerminal(retried);

        assertThat(once.<String>path("state")).isEqualTo("TIMED_OUT");
        assertThat(once.<Integer>path("attempt")).isEqualTo(1);
        assertThat(twice.<String>path("state")).isEqualTo("TIMED_OUT");
        assertThat(twice.<Integer>path("attempt")).isEqualTo(2);
        assertThat(twice.jsonPath().<String>getList("attempts.error.code")).containsExactly("TIMED_OUT", "TIMED_OUT");
    }

    @Test
    void aCancelledTaskIsNeverRetried() {
        String id = submit(Map.of("type", "sleep", "input", Map.of("ms", 20_000), "maxAttempts", 3));
        awaitState(id, "RUNNING");

        api().post("/api/v1/tasks/{id}/cancel", id).then().statusCode(200).body("state", equalTo("CANCELLED"));

        assertThat(task(id).<Integer>path("attempt")).isEqualTo(1);
    }

    @Test
    void retryFieldsOutOfRangeAre400NamingTheField() {
        for (Map<String, Object> bad : List.<Map<String, Object>>of(Map.of("maxAttempts", 0), Map.of("maxAttempts", 11),
                Map.of("retryBackoffMs", -1), Map.of("retryBackoffMs", 3_600_001))) {
            Map<String, Object> body = new java.util.HashMap<>(bad);
            body.put("type", "noop");
            api().contentType(ContentType.JSON).body(body).post("/api/v1/tasks").then().statusCode(400)
                    .contentType("application/problem+json").body("field", equalTo(bad.keySet().iterator().next()));
        }
    }
}
