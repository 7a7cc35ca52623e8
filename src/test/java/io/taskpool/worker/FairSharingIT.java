package io.taskpool.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.restassured.response.Response;
import io.taskpool.support.BatchTest;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Fair rounds: work submitted while a large batch of the same priority is queued starts after at
 * most one chunk of that batch per worker, not after the whole batch.
 */
class FairSharingIT extends BatchTest {

    private static final int BATCH_SIZE = 3000;

    /** A large batch of short items, running: the queue behind which newcomers must not wait. */
    private String startLargeBatch() {
        String id = submitBatchId(Map.of("type", "sleep", "chunkSize", 5,
                "inputs", inputs(BATCH_SIZE, i -> Map.of("ms", 5))));
        await().atMost(DEADLINE).until(() -> batch(id).<Integer>path("counts.running") > 0);
        return id;
    }

    private void cancel(String batchId) {
        Response cancelled = api().post("/api/v1/batches/{id}/cancel", batchId)
                .then().statusCode(200).extract().response();
        assertThat(cancelled.<String>path("state")).isEqualTo("CANCELLED");
        assertThat(cancelled.<Integer>path("counts.queued") + cancelled.<Integer>path("counts.running")).isZero();
    }

    @Test
    void aSingleTaskDoesNotWaitBehindALargeBatch() {
        String batch = startLargeBatch();
        try {
            String single = submit("noop", Map.of("single", true));
            Response done = awaitTerminal(single);
            Response batchNow = batch(batch);

            assertThat(done.<String>path("state")).isEqualTo("SUCCEEDED");
            Duration waited = Duration.between(Instant.parse(done.path("createdAt")),
                    Instant.parse(done.<String>path("startedAt")));
            assertThat(waited).as("time the single task spent queued").isLessThan(Duration.ofSeconds(5));
            // It started long before the batch was done: most of the batch is still queued.
            assertThat(batchNow.<String>path("state")).isEqualTo("RUNNING");
            assertThat(batchNow.<Integer>path("counts.queued")).isGreaterThan(BATCH_SIZE / 2);
        } finally {
            cancel(batch);
        }
    }

    @Test
    void aSmallBatchDoesNotWaitBehindALargeOne() {
        String large = startLargeBatch();
        try {
            String small = submitBatchId(Map.of("type", "noop", "chunkSize", 2,
                    "inputs", inputs(6, i -> Map.of("n", i))));
            Response smallDone = awaitBatchTerminal(small);
            Response largeNow = batch(large);

            assertThat(smallDone.<String>path("state")).isEqualTo("SUCCEEDED");
            assertThat(smallDone.<Integer>path("counts.succeeded")).isEqualTo(6);
            assertThat(largeNow.<String>path("state")).isEqualTo("RUNNING");
            assertThat(largeNow.<Integer>path("counts.queued")).isGreaterThan(BATCH_SIZE / 2);
        } finally {
            cancel(large);
        }
    }

    @Test
    void higherPriorityStillGoesFirst() {
        String batch = startLargeBatch();
        try {
            String urgent = submit(Map.of("type", "noop", "priority", 10));
            Response done = awaitTerminal(urgent);
            assertThat(done.<String>path("state")).isEqualTo("SUCCEEDED");
            assertThat(batch(batch).<Integer>path("counts.queued")).isGreaterThan(BATCH_SIZE / 2);
        } finally {
            cancel(batch);
        }
    }
}
