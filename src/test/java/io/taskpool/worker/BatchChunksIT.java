package io.taskpool.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import io.restassured.response.Response;
import io.taskpool.support.BatchTest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Chunked dispatch with real worker processes: a chunk goes to one worker, yet every item keeps
 * its own outcome and its own time limit; a worker dying mid-chunk costs only the item it was
 * running; cancelling a batch stops all of it.
 */
class BatchChunksIT extends BatchTest {

    private static long pid(Map<String, Object> task) {
        return ((Number) task.get("workerPid")).longValue();
    }

    @Test
    void aFailingItemFailsAloneInItsChunk() {
        String id = submitBatchId(Map.of("type", "test.chunk", "chunkSize", 4, "inputs", List.of(
                Map.of("n", 0, "ms", 10), Map.of("n", 1, "fail", true), Map.of("n", 2, "ms", 20), Map.of("n", 3, "ms", 30))));
        Response done = awaitBatchTerminal(id);
        assertThat(done.<String>path("state")).isEqualTo("FAILED");
        assertThat(done.<Integer>path("counts.succeeded")).isEqualTo(3);
        assertThat(done.<Integer>path("counts.failed")).isEqualTo(1);

        List<Map<String, Object>> items = itemTasks(id);
        // One chunk, one worker process for all four.
        assertThat(items.stream().map(BatchChunksIT::pid).distinct()).hasSize(1);
        assertThat(items).extracting(item -> item.get("state"))
                .containsExactly("SUCCEEDED", "FAILED", "SUCCEEDED", "SUCCEEDED");
        assertThat(items).extracting(item -> item.get("attempt")).containsOnly(1);
        Response page = api().get("/api/v1/batches/{id}/results", id).then().statusCode(200).extract().response();
        assertThat(page.<String>path("items[1].error.code")).isEqualTo("TASK_FAILED");
        assertThat(page.<String>path("items[1].error.message")).contains("asked to fail");
        assertThat(page.<Integer>path("items[3].result.n")).isEqualTo(3);
        // The worker carried on after the failure: nothing crashed.
        assertThat(workerPids()).contains(pid(items.get(0)));
    }

    @Test
    void workerDeathMidChunkFailsOnlyTheRunningItemAndRequeuesTheRest() {
        String id = submitBatchId(Map.of("type", "test.chunk", "chunkSize", 5, "inputs", List.of(
                Map.of("n", 0), Map.of("n", 1), Map.of("n", 2, "exit", true), Map.of("n", 3), Map.of("n", 4))));
        Response done = awaitBatchTerminal(id);
        assertThat(done.<String>path("state")).isEqualTo("FAILED");
        assertThat(done.<Map<String, Integer>>path("counts")).containsExactlyInAnyOrderEntriesOf(Map.of(
                "queued", 0, "running", 0, "succeeded", 4, "failed", 1, "cancelled", 0, "timedOut", 0));

        List<Map<String, Object>> items = itemTasks(id);
        Map<String, Object> crashed = items.get(2);
        long deadPid = pid(crashed);
        assertThat(crashed.get("state")).isEqualTo("FAILED");
        assertThat(crashed).extracting("error").extracting("code").isEqualTo("WORKER_CRASHED");
        assertThat(crashed).extracting("error").extracting("message").asString().contains("exit code 7");
        assertThat(crashed.get("attempt")).isEqualTo(1);

        // The items finished before the crash keep their results from the dead worker...
        for (int i : new int[] {0, 1}) {
            Map<String, Object> item = items.get(i);
            assertThat(item.get("state")).as("item %d", i).isEqualTo("SUCCEEDED");
            assertThat(item.get("attempt")).as("item %d", i).isEqualTo(1);
            assertThat(item).extracting("result").extracting("n").isEqualTo(i);
            assertThat(((Number) ((Map<?, ?>) item.get("result")).get("pid")).longValue()).isEqualTo(deadPid);
        }
        // ...and those it never started ran elsewhere, on their first attempt.
        for (int i : new int[] {3, 4}) {
            Map<String, Object> item = items.get(i);
            assertThat(item.get("state")).as("item %d", i).isEqualTo("SUCCEEDED");
            assertThat(item.get("attempt")).as("item %d", i).isEqualTo(1);
            assertThat(item).extracting("result").extracting("n").isEqualTo(i);
            long ranOn = ((Number) ((Map<?, ?>) item.get("result")).get("pid")).longValue();
            assertThat(ranOn).as("item %d ran on another worker", i).isNotEqualTo(deadPid);
            assertThat(pid(item)).isEqualTo(ranOn);
        }

        awaitFullPool();
        assertThat(workerPids()).hasSize(WORKERS).doesNotContain(deadPid);
    }

    @Test
    void theTimeLimitAppliesToEachItemNotToTheChunk() {
        // Three items of 400 ms in one chunk take 1.2 s, more than the limit, yet each is within it.
        String id = submitBatchId(Map.of("type", "sleep", "chunkSize", 3, "timeoutMs", 1000,
                "inputs", List.of(Map.of("ms", 400), Map.of("ms", 400), Map.of("ms", 400))));
        Response done = awaitBatchTerminal(id);
        assertThat(done.<String>path("state")).isEqualTo("SUCCEEDED");
        List<Map<String, Object>> items = itemTasks(id);
        assertThat(items.stream().map(BatchChunksIT::pid).distinct()).hasSize(1);
    }

    @Test
    void anItemOverItsTimeLimitTimesOutAloneAndTheRestOfItsChunkRuns() {
        String id = submitBatchId(Map.of("type", "sleep", "chunkSize", 3, "timeoutMs", 1000,
                "inputs", List.of(Map.of("ms", 10), Map.of("ms", 20_000), Map.of("ms", 20))));
        Response done = awaitBatchTerminal(id);
        assertThat(done.<String>path("state")).isEqualTo("FAILED");
        assertThat(done.<Map<String, Integer>>path("counts")).containsExactlyInAnyOrderEntriesOf(Map.of(
                "queued", 0, "running", 0, "succeeded", 2, "failed", 0, "cancelled", 0, "timedOut", 1));
        List<Map<String, Object>> items = itemTasks(id);
        assertThat(items).extracting(item -> item.get("state")).containsExactly("SUCCEEDED", "TIMED_OUT", "SUCCEEDED");
        assertThat(items.get(1)).extracting("error").extracting("code").isEqualTo("TIMED_OUT");
        assertThat(items.get(2).get("attempt")).isEqualTo(1);
        // The worker was killed for the timeout: the item after it ran on another one.
        assertThat(pid(items.get(2))).isNotEqualTo(pid(items.get(1)));
        awaitFullPool();
    }

    @Test
    void cancellingABatchCancelsQueuedAndRunningItems() {
        int size = 20;
        String id = submitBatchId(Map.of("type", "sleep", "chunkSize", 2,
                "inputs", inputs(size, i -> Map.of("ms", 2000))));
        await().atMost(DEADLINE).until(() -> batch(id).<Integer>path("counts.running") > 0);

        Response cancelled = api().post("/api/v1/batches/{id}/cancel", id)
                .then().statusCode(200).extract().response();
        // The reply comes when every item is terminal.
        assertThat(cancelled.<String>path("state")).isEqualTo("CANCELLED");
        assertThat(cancelled.<String>path("finishedAt")).isNotNull();
        int succeeded = cancelled.path("counts.succeeded");
        assertThat(cancelled.<Integer>path("counts.queued")).isZero();
        assertThat(cancelled.<Integer>path("counts.running")).isZero();
        assertThat(cancelled.<Integer>path("counts.failed")).isZero();
        assertThat(cancelled.<Integer>path("counts.cancelled")).isEqualTo(size - succeeded);
        // Three workers with a chunk of two each: at most six could have run so far.
        assertThat(succeeded).isLessThanOrEqualTo(6);

        List<Map<String, Object>> items = itemTasks(id);
        assertThat(items).hasSize(size).extracting(item -> item.get("state"))
                .isSubsetOf("SUCCEEDED", "CANCELLED");
        assertThat(items).filteredOn(item -> "CANCELLED".equals(item.get("state")))
                .hasSize(size - succeeded)
                .allSatisfy(item -> assertThat(item).extracting("error").extracting("code").isEqualTo("CANCELLED"));
        assertThat(batch(id).<String>path("state")).isEqualTo("CANCELLED");

        api().post("/api/v1/batches/{id}/cancel", id)
                .then().statusCode(409)
                .contentType("application/problem+json")
                .body("type", equalTo("urn:taskpool:problem:batch-state-conflict"))
                .body("batchId", equalTo(id))
                .body("state", equalTo("CANCELLED"));
        awaitFullPool();
    }

    @Test
    void cancellingAFinishedBatchIs409() {
        String id = submitBatchId(Map.of("type", "noop", "inputs", List.of(Map.of(), Map.of())));
        assertThat(awaitBatchTerminal(id).<String>path("state")).isEqualTo("SUCCEEDED");
        api().post("/api/v1/batches/{id}/cancel", id)
                .then().statusCode(409)
                .contentType("application/problem+json")
                .body("state", equalTo("SUCCEEDED"));
        assertThat(batch(id).<Integer>path("counts.succeeded")).isEqualTo(2);
    }
}
