package io.taskpool.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.taskpool.client.ApiClient;
import io.taskpool.client.ApiException;
import io.taskpool.client.api.BatchesApi;
import io.taskpool.client.api.TasksApi;
import io.taskpool.client.model.Batch;
import io.taskpool.client.model.BatchItem;
import io.taskpool.client.model.SubmitBatch;
import io.taskpool.client.model.SubmitTask;
import io.taskpool.client.model.Task;
import io.taskpool.client.model.TaskError;
import io.taskpool.support.ServiceTest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The service through a client generated from the committed spec (the build generates it with
 * openapi-generator, as users would): if the spec says something the service does not do, a
 * call here fails to encode or to parse.
 */
class GeneratedClientIT extends ServiceTest {

    private static final long WAIT_MS = 30_000;

    private TasksApi tasks;
    private BatchesApi batches;

    @BeforeEach
    void client() {
        ApiClient client = new ApiClient().setHost("localhost").setPort(port).setScheme("http");
        tasks = new TasksApi(client);
        batches = new BatchesApi(client);
    }

    @Test
    void submitsALongPollsAndReadsInputAndResultAsObjects() throws ApiException {
        Task submitted = tasks.submitTask(new SubmitTask().type("primes.count").input(Map.of("below", 100)), null, null);
        assertThat(submitted.getId()).isNotBlank();

        Task done = tasks.getTask(submitted.getId(), WAIT_MS);

        assertThat(done.getState()).isEqualTo(Task.StateEnum.SUCCEEDED);
        assertThat(done.getInput()).isEqualTo(Map.of("below", 100));
        assertThat(done.getResult()).isEqualTo(Map.of("count", 25));
        assertThat(done.getError()).isNull();
        assertThat(tasks.getTaskResult(submitted.getId(), 0L)).isEqualTo(Map.of("count", 25));
    }

    @Test
    void readsAFailedTasksError() throws ApiException {
        String id = tasks.submitTask(new SubmitTask().type("test.fail").input(Map.of("message", "no luck")),
                null, null).getId();

        Task done = tasks.getTask(id, WAIT_MS);

        assertThat(done.getState()).isEqualTo(Task.StateEnum.FAILED);
        assertThat(done.getError().getCode()).isEqualTo(TaskError.CodeEnum.TASK_FAILED);
        assertThat(done.getError().getMessage()).isEqualTo("java.lang.IllegalStateException: no luck");
        assertThat(done.getAttempts()).singleElement()
                .satisfies(attempt -> assertThat(attempt.getError().getCode()).isEqualTo("TASK_FAILED"));
        assertThatThrownBy(() -> tasks.getTaskResult(id, 0L))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.getCode()).isEqualTo(409);
                    assertThat(e.getResponseBody()).contains("\"state\":\"FAILED\"");
                });
    }

    @Test
    void submitsABatchAndReadsItsResults() throws ApiException {
        Batch batch = batches.submitBatch(new SubmitBatch().type("primes.count")
                .inputs(List.of(Map.of("below", 10), Map.of("below", 100))), null);

        Batch done = batches.getBatch(batch.getId(), WAIT_MS);

        assertThat(done.getState()).isEqualTo(Batch.StateEnum.SUCCEEDED);
        assertThat(done.getCounts().getSucceeded()).isEqualTo(2L);
        List<BatchItem> items = batches.getBatchResults(batch.getId(), null, 0, 10).getItems();
        assertThat(items).extracting(BatchItem::getResult).containsExactly(Map.of("count", 4), Map.of("count", 25));
    }

    @Test
    void cancelsARunningTask() throws ApiException {
        String id = tasks.submitTask(new SubmitTask().type("sleep").input(Map.of("ms", 60_000)), null, null).getId();
        awaitState(id, "RUNNING");

        tasks.cancelTask(id);

        Task done = tasks.getTask(id, WAIT_MS);
        assertThat(done.getState()).isEqualTo(Task.StateEnum.CANCELLED);
        assertThat(done.getError().getCode()).isEqualTo(TaskError.CodeEnum.CANCELLED);
    }
}
