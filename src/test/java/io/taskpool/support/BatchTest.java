package io.taskpool.support;

import static org.awaitility.Awaitility.await;

import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Base of the batch tests: submitting, following and cancelling batches over HTTP. Same Spring
 * configuration as {@link ServiceTest}, so the context is shared.
 */
public abstract class BatchTest extends ServiceTest {

    private static final Set<String> TERMINAL = Set.of("SUCCEEDED", "FAILED", "CANCELLED");

    /** Submits a batch (a map or a JSON text body) and returns the 202 reply. */
    protected Response submitBatch(Object body) {
        return api().contentType(ContentType.JSON).body(body)
                .post("/api/v1/batches")
                .then().statusCode(202)
                .extract().response();
    }

    /** Submits a batch and returns its id. */
    protected String submitBatchId(Object body) {
        return submitBatch(body).path("id");
    }

    protected Response batch(String id) {
        return api().get("/api/v1/batches/{id}", id).then().statusCode(200).extract().response();
    }

    /** Long-polls until the batch is terminal; fails if it is not within the deadline. */
    protected Response awaitBatchTerminal(String id) {
        Response[] last = new Response[1];
        await().atMost(DEADLINE).until(() -> {
            last[0] = api().queryParam("waitMs", 5000).get("/api/v1/batches/{id}", id)
                    .then().statusCode(200).extract().response();
            return TERMINAL.contains(last[0].<String>path("state"));
        });
        return last[0];
    }

    /** The batch's item tasks (from {@code GET /api/v1/tasks?batchId=}), by index. */
    protected List<Map<String, Object>> itemTasks(String batchId) {
        List<Map<String, Object>> items = new ArrayList<>();
        String cursor = null;
        do {
            var request = api().queryParam("batchId", batchId).queryParam("limit", 1000);
            if (cursor != null) {
                request.queryParam("cursor", cursor);
            }
            Response page = request.get("/api/v1/tasks").then().statusCode(200).extract().response();
            items.addAll(page.jsonPath().getList("items"));
            cursor = page.path("nextCursor");
        } while (cursor != null);
        items.sort(Comparator.comparingInt(item -> ((Number) item.get("index")).intValue()));
        return items;
    }

    /** Cancels the batch unless it is terminal already, so that the next test finds the pool idle. */
    protected void cancelIfRunning(String id) {
        if (id != null && "RUNNING".equals(batch(id).path("state"))) {
            api().post("/api/v1/batches/{id}/cancel", id);
        }
    }

    /** {@code n} inputs, each made by {@code input} from its index. */
    protected static List<Map<String, Object>> inputs(int n, java.util.function.IntFunction<Map<String, Object>> input) {
        List<Map<String, Object>> inputs = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            inputs.add(input.apply(i));
        }
        return inputs;
    }

    protected static Duration millis(long ms) {
        return Duration.ofMillis(ms);
    }
}
