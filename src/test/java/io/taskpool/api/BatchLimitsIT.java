package io.taskpool.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import io.taskpool.support.StandaloneService;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The size limits of a batch submission: {@code taskpool.batches.max-items} and
 * {@code taskpool.api.max-batch-body}, both 413 with nothing stored. Small limits need a service of
 * their own (its own database, one worker), started beside the shared test context rather than as
 * a second cached test context.
 */
class BatchLimitsIT {

    private static final int MAX_ITEMS = 10;
    private static final Duration DEADLINE = Duration.ofSeconds(30);

    private static ConfigurableApplicationContext service;
    private static int port;

    @BeforeAll
    static void startService() {
        service = StandaloneService.start("batch-limits-test", "--taskpool.batches.max-items=" + MAX_ITEMS,
                "--taskpool.api.max-batch-body=4KB", "--taskpool.api.max-body=64KB");
        port = StandaloneService.port(service);
    }

    @AfterAll
    static void stopService() {
        if (service != null) {
            service.close();
        }
    }

    private static RequestSpecification api() {
        return given().port(port).accept(ContentType.JSON);
    }

    /** Tasks of this service's store whose input text is {@code marker}. */
    private static List<Object> storedWithText(String marker) {
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
        String id = api().contentType(ContentType.JSON).body(batchBody(marker, MAX_ITEMS, 0))
                .post("/api/v1/batches")
                .then().statusCode(202).body("size", equalTo(MAX_ITEMS)).extract().path("id");
        await().atMost(DEADLINE).until(() -> Set.of("SUCCEEDED", "FAILED", "CANCELLED").contains(
                api().queryParam("waitMs", 5000).get("/api/v1/batches/{id}", id).then().statusCode(200)
                        .extract().<String>path("state")));
        assertThat(api().get("/api/v1/batches/{id}", id).then().extract().<String>path("state")).isEqualTo("SUCCEEDED");
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
        Response accepted = api().contentType(ContentType.JSON).queryParam("waitMs", 20000)
                .body(Map.of("type", "hash.sha256", "input", Map.of("text", marker, "pad", "p".repeat(6000))))
                .post("/api/v1/tasks")
                .then().statusCode(200).extract().response();
        assertThat(accepted.<String>path("state")).isEqualTo("SUCCEEDED");
        assertThat(storedWithText(marker)).containsExactly(accepted.<String>path("id"));
    }
}
