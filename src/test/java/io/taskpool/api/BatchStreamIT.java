package io.taskpool.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.restassured.path.json.JsonPath;
import io.taskpool.support.BatchTest;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The NDJSON result stream read the way a client reads it, line by line with a plain HTTP client:
 * lines arrive while later items still run, in input or completion order, and the stream ends
 * after the last item.
 */
class BatchStreamIT extends BatchTest {

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** Opens the stream; the lines are read lazily, as the service writes them. */
    private HttpResponse<Stream<String>> openStream(String batchId, String order) throws IOException,
            InterruptedException {
        String query = order == null ? "" : "?order=" + order;
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/api/v1/batches/"
                        + batchId + "/results" + query))
                .header("Accept", "application/x-ndjson")
                .timeout(Duration.ofSeconds(60))
                .GET().build();
        HttpResponse<Stream<String>> response = http.send(request, HttpResponse.BodyHandlers.ofLines());
        assertThat(response.statusCode()).isEqualTo(200);
        return response;
    }

    private String itemState(String batchId, int index) {
        return itemTasks(batchId).get(index).get("state").toString();
    }

    @Test
    void theStreamAnswersWithItsHeadersBeforeAnyItemIsReady() throws Exception {
        String id = submitBatchId(Map.of("type", "sleep", "inputs", List.of(Map.of("ms", 5000))));
        try {
            HttpResponse<Stream<String>> response = openStream(id, "completion");
            // The reply is here while its only item still runs: nothing waited for the item.
            assertThat(batch(id).<Integer>path("counts.succeeded")).isZero();
            assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type)
                    .startsWith("application/x-ndjson"));
            response.body().close();
        } finally {
            cancelIfRunning(id);
        }
    }

    @Test
    void inputOrderStreamSendsTheFirstItemWhileALaterOneStillRuns() throws Exception {
        String id = submitBatchId(Map.of("type", "sleep", "chunkSize", 1,
                "inputs", List.of(Map.of("ms", 10), Map.of("ms", 3000))));
        try (Stream<String> body = openStream(id, null).body()) {
            Iterator<String> lines = body.iterator();

            assertThat(lines.hasNext()).isTrue();
            JsonPath first = JsonPath.from(lines.next());
            long firstAt = System.nanoTime();
            // Item 1 runs for three seconds: the first line did not wait for it.
            assertThat(itemState(id, 1)).isEqualTo("RUNNING");
            assertThat(first.getInt("index")).isZero();
            assertThat(first.getString("state")).isEqualTo("SUCCEEDED");
            assertThat(first.getInt("result.sleptMs")).isBetween(10, 2999);
            assertThat(first.getMap("error")).isNull();

            assertThat(lines.hasNext()).isTrue();
            JsonPath second = JsonPath.from(lines.next());
            long secondAfterMs = (System.nanoTime() - firstAt) / 1_000_000;
            assertThat(second.getInt("index")).isEqualTo(1);
            assertThat(second.getString("state")).isEqualTo("SUCCEEDED");
            assertThat(second.getInt("result.sleptMs")).isGreaterThanOrEqualTo(3000);
            assertThat(secondAfterMs).as("the second line came when its item finished").isGreaterThan(1000);

            assertThat(lines.hasNext()).as("the stream ends after the last item").isFalse();
        } finally {
            cancelIfRunning(id);
        }
        assertThat(batch(id).<String>path("state")).isEqualTo("SUCCEEDED");
    }

    @Test
    void completionOrderStreamSendsTheShortItemBeforeTheLongOne() throws Exception {
        String id = submitBatchId(Map.of("type", "sleep", "chunkSize", 1,
                "inputs", List.of(Map.of("ms", 3000), Map.of("ms", 10))));
        try (Stream<String> body = openStream(id, "completion").body()) {
            Iterator<String> lines = body.iterator();

            assertThat(lines.hasNext()).isTrue();
            JsonPath first = JsonPath.from(lines.next());
            assertThat(itemState(id, 0)).isEqualTo("RUNNING");
            assertThat(first.getInt("index")).isEqualTo(1);
            assertThat(first.getString("state")).isEqualTo("SUCCEEDED");
            assertThat(first.getInt("result.sleptMs")).isBetween(10, 2999);

            assertThat(lines.hasNext()).isTrue();
            JsonPath second = JsonPath.from(lines.next());
            assertThat(second.getInt("index")).isZero();
            assertThat(second.getInt("result.sleptMs")).isGreaterThanOrEqualTo(3000);

            assertThat(lines.hasNext()).as("the stream ends after the last item").isFalse();
        } finally {
            cancelIfRunning(id);
        }
    }

    @Test
    void streamOfALargeBatchHasExactlyOneLinePerItemInInputOrder() throws Exception {
        int size = 520; // more than one page of the store (500)
        String id = submitBatchId(Map.of("type", "noop", "chunkSize", 20, "inputs",
                IntStream.range(0, size).mapToObj(i -> Map.of("n", i)).toList()));
        List<JsonPath> lines;
        try (Stream<String> body = openStream(id, "input").body()) {
            lines = body.map(JsonPath::from).toList();
        }
        assertThat(lines).hasSize(size);
        for (int i = 0; i < size; i++) {
            assertThat(lines.get(i).getInt("index")).isEqualTo(i);
            assertThat(lines.get(i).getString("state")).isEqualTo("SUCCEEDED");
            assertThat(lines.get(i).getInt("result.n")).isEqualTo(i);
        }
        // The stream ended when the last item was done: the batch is terminal.
        assertThat(batch(id).<String>path("state")).isEqualTo("SUCCEEDED");
    }

    @Test
    void completionStreamOfALargeBatchHasEveryItemOnce() throws Exception {
        int size = 200;
        String id = submitBatchId(Map.of("type", "noop", "chunkSize", 20, "inputs",
                IntStream.range(0, size).mapToObj(i -> Map.of("n", i)).toList()));
        List<JsonPath> lines;
        try (Stream<String> body = openStream(id, "completion").body()) {
            lines = body.map(JsonPath::from).toList();
        }
        assertThat(lines).hasSize(size);
        List<Integer> indexes = new ArrayList<>();
        for (JsonPath line : lines) {
            indexes.add(line.getInt("index"));
            assertThat(line.getInt("result.n")).isEqualTo(line.getInt("index"));
        }
        assertThat(indexes).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(
                IntStream.range(0, size).boxed().toList());
    }

    @Test
    void streamOfAFinishedBatchSendsEverythingAndEnds() throws Exception {
        String id = submitBatchId(Map.of("type", "test.chunk", "chunkSize", 2,
                "inputs", List.of(Map.of("n", 25), Map.of("n", 1, "fail", true), Map.of("n", 168))));
        awaitBatchTerminal(id);
        for (String order : new String[] {"input", "completion"}) {
            List<JsonPath> lines;
            try (Stream<String> body = openStream(id, order).body()) {
                lines = body.map(JsonPath::from).toList();
            }
            // Items finished before the stream starts come in input order, in both modes.
            assertThat(lines).extracting(line -> line.getInt("index")).containsExactly(0, 1, 2);
            assertThat(lines).extracting(line -> line.getString("state"))
                    .containsExactly("SUCCEEDED", "FAILED", "SUCCEEDED");
            assertThat(lines.get(0).getInt("result.n")).isEqualTo(25);
            assertThat(lines.get(1).getString("error.code")).isEqualTo("TASK_FAILED");
            assertThat(lines.get(2).getInt("result.n")).isEqualTo(168);
        }
    }

    @Test
    void streamOfACancelledBatchEnds() throws Exception {
        String id = submitBatchId(Map.of("type", "sleep", "chunkSize", 1,
                "inputs", List.of(Map.of("ms", 10), Map.of("ms", 30_000), Map.of("ms", 30_000))));
        try (Stream<String> body = openStream(id, "input").body()) {
            Iterator<String> lines = body.iterator();
            assertThat(JsonPath.from(lines.next()).getInt("index")).isZero();
            api().post("/api/v1/batches/{id}/cancel", id).then().statusCode(200).body("state", equalTo("CANCELLED"));
            assertThat(JsonPath.from(lines.next()).getString("state")).isEqualTo("CANCELLED");
            assertThat(JsonPath.from(lines.next()).getString("state")).isEqualTo("CANCELLED");
            assertThat(lines.hasNext()).isFalse();
        } finally {
            cancelIfRunning(id);
        }
    }

    @Test
    void unknownOrderIs400AndUnknownBatchIs404() throws Exception {
        String id = submitBatchId(Map.of("type", "noop", "inputs", List.of(Map.of())));
        api().accept("application/x-ndjson").queryParam("order", "random").get("/api/v1/batches/{id}/results", id)
                .then().statusCode(400).contentType("application/problem+json").body("field", equalTo("order"));
        HttpResponse<String> missing = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port
                        + "/api/v1/batches/" + java.util.UUID.randomUUID() + "/results"))
                .header("Accept", "application/x-ndjson").GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(missing.statusCode()).isEqualTo(404);
        awaitBatchTerminal(id);
    }

    @Test
    void streamIsDeclaredAsNdjson() throws Exception {
        String id = submitBatchId(Map.of("type", "noop", "inputs", List.of(Map.of("n", 0))));
        HttpResponse<Stream<String>> response = openStream(id, null);
        try (Stream<String> body = response.body()) {
            assertThat(body.toList()).hasSize(1);
        }
        assertThat(response.headers().firstValue("Content-Type")).as(response.headers().map().toString())
                .hasValueSatisfying(type -> assertThat(type).startsWith("application/x-ndjson"));
    }
}
