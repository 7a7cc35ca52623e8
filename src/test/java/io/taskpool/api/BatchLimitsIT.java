package io.taskpool.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.taskpool.support.BatchTest;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.TestPropertySource;

/**
 * The size limits of a batch submission: {@code taskpool.batches.max-items} and
 * {@code taskpool.api.max-batch-body}, both 413 with nothing stored. Small limits need a context
 * of their own: its own database, one worker, closed after this class.
 */
@TestPropertySource(properties = {
        "spring.datasource.url=jdbc:h2:mem:taskpool-batch-limits-test;DB_CLOSE_DELAY=-1",
        "taskpool.node-id=batch-limits-test",
        "taskpool.workers.count=1",
        "taskpool.batches.max-items=10",
        "taskpool.api.max-batch-body=4KB"})
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class BatchLimitsIT extends BatchTest {

    private static final int MAX_ITEMS = 10;

    @Override
    @BeforeEach
    protected void awaitFullPool() {
        await().atMost(DEADLINE).until(() -> Integer.valueOf(1).equals(api().get("/api/v1/workers")
                .then().extract().path("idle")));
    }

    /** Tasks of this context's store whose input text is {@code marker}. */
    private List<Object> storedWithText(String marker) {
        List<Map<String, Object>> items = api().queryParam("type", "hash.sha256").queryParam("limit", 1000)
                .get("/api/v1/tasks").then().statusCode(200).extract().path("items");
        return items.stream().filter(t -> marker.equals(((Map<?, ?>) t.get("input")).get("text")))
                .map(t -> t.get("id")).toList();
    }

    private static String batchBody(String marker, int items, int padding) {
        StringBuilder inputs = new StringBuilder();
        for (int i = 0; i < items; i++) {
            inputs.append(i == 0 ? "" : ",").append("{\"text\":\"").append(marker).append("\",\"pad\":\"")
                    .append("p".repeat(padding)).append("\"}");
        }
        return "{\"type\":\"hash.sha256\",\"inputs\":[" + inputs + "]}";
    }

    @Test
    void moreInputsThanMaxItemsIs413AndNothingIsStored() {
        String marker = UUID.randomUUID().toString();
        api().contentType(ContentType.JSON).body(batchBody(marker, MAX_ITEMS + 1, 0))
                .post("/api/v1/batches")
                .then().statusCode(413)
                .contentType("application/problem+json")
                .body("type", equalTo("urn:taskpool:problem:batch-too-large"))
                .body("status", equalTo(413))
                .body("detail", containsString("10"));
        assertThat(storedWithText(marker)).isEmpty();

        // Exactly the limit is fine.
        Response accepted = submitBatch(batchBody(marker, MAX_ITEMS, 0));
        assertThat(accepted.<Integer>path("size")).isEqualTo(MAX_ITEMS);
        assertThat(awaitBatchTerminal(accepted.path("id")).<String>path("state")).isEqualTo("SUCCEEDED");
        assertThat(storedWithText(marker)).hasSize(MAX_ITEMS);
    }

    @Test
    void aBodyOverMaxBatchBodyIs413AndNothingIsStored() {
        String marker = UUID.randomUUID().toString();
        String body = batchBody(marker, 5, 1000); // about 5 KB in 5 inputs, over the 4KB limit
        assertThat(body.length()).isGreaterThan(4096);
        api().contentType(ContentType.JSON).body(body)
                .post("/api/v1/batches")
                .then().statusCode(413)
                .contentType("application/problem+json")
                .body("type", equalTo("urn:taskpool:problem:body-too-large"))
                .body("detail", containsString("taskpool.api.max-batch-body"));
        assertThat(storedWithText(marker)).isEmpty();
    }

    @Test
    void aChunkedBodyOverMaxBatchBodyIs413AndNothingIsStored() throws Exception {
        String marker = UUID.randomUUID().toString();
        byte[] body = batchBody(marker, 5, 1000).getBytes(StandardCharsets.UTF_8);
        // No Content-Length: the limit applies while the body is read.
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/api/v1/batches"))
                .header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body)))
                .build();
        HttpResponse<String> response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(type ->
                assertThat(type).startsWith("application/problem+json"));
        assertThat(response.body()).contains("urn:taskpool:problem:body-too-large", "taskpool.api.max-batch-body");
        assertThat(storedWithText(marker)).isEmpty();
    }

    @Test
    void theBatchBodyLimitDoesNotApplyToSingleTasks() {
        String marker = UUID.randomUUID().toString();
        String id = submit("hash.sha256", Map.of("text", marker, "pad", "p".repeat(6000)));
        assertThat(awaitTerminal(id).<String>path("state")).isEqualTo("SUCCEEDED");
        assertThat(storedWithText(marker)).containsExactly(id);
    }
}
