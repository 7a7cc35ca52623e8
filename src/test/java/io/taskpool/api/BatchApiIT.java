package io.taskpool.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.nullValue;

import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.taskpool.support.BatchTest;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code /api/v1/batches} over real HTTP: submission, state, results in input order, errors. */
class BatchApiIT extends BatchTest {

    private static final String UUID_PATTERN = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";

    @Test
    void submittedBatchAnswersWithLocationAndEveryFieldThenSucceeds() {
        Response accepted = api().contentType(ContentType.JSON)
                .body(Map.of("type", "noop", "inputs", List.of(Map.of("n", 0), Map.of("n", 1), Map.of("n", 2)),
                        "chunkSize", 2, "priority", 3, "timeoutMs", 60000, "labels", Map.of("team", "search")))
                .post("/api/v1/batches")
                .then().statusCode(202)
                .contentType(ContentType.JSON)
                .body("id", matchesPattern(UUID_PATTERN))
                .body("type", equalTo("noop"))
                .body("size", equalTo(3))
                .body("state", equalTo("RUNNING"))
                .body("counts.queued", equalTo(3))
                .body("counts.running", equalTo(0))
                .body("counts.succeeded", equalTo(0))
                .body("counts.failed", equalTo(0))
                .body("counts.cancelled", equalTo(0))
                .body("counts.timedOut", equalTo(0))
                .body("chunkSize", equalTo(2))
                .body("priority", equalTo(3))
                .body("timeoutMs", equalTo(60000))
                .body("labels.team", equalTo("search"))
                .body("createdAt", matchesPattern("\\d{4}-\\d\\d-\\d\\dT.*Z"))
                .body("finishedAt", nullValue())
                .extract().response();
        String id = accepted.path("id");
        assertThat(accepted.header("Location")).isEqualTo("/api/v1/batches/" + id);

        Response done = awaitBatchTerminal(id);
        assertThat(done.<String>path("state")).isEqualTo("SUCCEEDED");
        assertThat(done.<Map<String, Integer>>path("counts")).containsExactlyInAnyOrderEntriesOf(Map.of(
                "queued", 0, "running", 0, "succeeded", 3, "failed", 0, "cancelled", 0, "timedOut", 0));
        assertThat(Instant.parse(done.<String>path("finishedAt")))
                .isAfterOrEqualTo(Instant.parse(accepted.<String>path("createdAt")));
        assertThat(done.<String>path("createdAt")).isEqualTo(accepted.<String>path("createdAt"));

        // Every item carries the batch's fields.
        List<Map<String, Object>> items = itemTasks(id);
        assertThat(items).hasSize(3).allSatisfy(item -> {
            assertThat(item).containsEntry("type", "noop").containsEntry("priority", 3)
                    .containsEntry("timeoutMs", 60000).containsEntry("batchId", id)
                    .containsEntry("state", "SUCCEEDED").containsEntry("labels", Map.of("team", "search"));
        });
    }

    @Test
    void resultsComeInInputOrderAlthoughItemsFinishOutOfOrder() {
        String id = submitBatchId(Map.of("type", "sleep", "chunkSize", 1,
                "inputs", List.of(Map.of("ms", 600), Map.of("ms", 300), Map.of("ms", 10))));
        assertThat(awaitBatchTerminal(id).<String>path("state")).isEqualTo("SUCCEEDED");

        // They did run in parallel and finished in reverse order...
        List<Map<String, Object>> tasks = itemTasks(id);
        List<Instant> finished = tasks.stream().map(t -> Instant.parse((String) t.get("finishedAt"))).toList();
        assertThat(finished.get(2)).isBefore(finished.get(1));
        assertThat(finished.get(1)).isBefore(finished.get(0));
        assertThat(tasks.stream().map(t -> t.get("workerPid")).distinct()).hasSize(3);

        // ...and yet the results page lists them by input.
        Response page = api().get("/api/v1/batches/{id}/results", id).then().statusCode(200).extract().response();
        assertThat(page.<List<Integer>>path("items.index")).containsExactly(0, 1, 2);
        assertThat(page.<List<String>>path("items.state")).containsExactly("SUCCEEDED", "SUCCEEDED", "SUCCEEDED");
        List<Integer> slept = page.path("items.result.sleptMs");
        assertThat(slept.get(0)).isBetween(600, 5_000);
        assertThat(slept.get(1)).isBetween(300, 599);
        assertThat(slept.get(2)).isBetween(10, 299);
        assertThat(page.<List<Object>>path("items.error")).containsExactly(null, null, null);
        assertThat(page.<Object>path("nextOffset")).isNull();
    }

    @Test
    void resultsArePagedWithOffsetLimitAndNextOffset() {
        String id = submitBatchId(Map.of("type", "noop", "chunkSize", 3, "inputs", inputs(7, i -> Map.of("n", i))));
        awaitBatchTerminal(id);

        Response first = api().queryParam("limit", 3).get("/api/v1/batches/{id}/results", id)
                .then().statusCode(200).extract().response();
        assertThat(first.<List<Integer>>path("items.index")).containsExactly(0, 1, 2);
        assertThat(first.<List<Integer>>path("items.result.n")).containsExactly(0, 1, 2);
        assertThat(first.<Integer>path("nextOffset")).isEqualTo(3);

        Response second = api().queryParam("offset", 3).queryParam("limit", 3).get("/api/v1/batches/{id}/results", id)
                .then().statusCode(200).extract().response();
        assertThat(second.<List<Integer>>path("items.index")).containsExactly(3, 4, 5);
        assertThat(second.<List<Integer>>path("items.result.n")).containsExactly(3, 4, 5);
        assertThat(second.<Integer>path("nextOffset")).isEqualTo(6);

        Response last = api().queryParam("offset", 6).queryParam("limit", 3).get("/api/v1/batches/{id}/results", id)
                .then().statusCode(200).extract().response();
        assertThat(last.<List<Integer>>path("items.index")).containsExactly(6);
        assertThat(last.<List<Integer>>path("items.result.n")).containsExactly(6);
        assertThat(last.<Object>path("nextOffset")).isNull();

        // A page that ends exactly at the last item has no next page either.
        Response exact = api().queryParam("offset", 4).queryParam("limit", 3).get("/api/v1/batches/{id}/results", id)
                .then().statusCode(200).extract().response();
        assertThat(exact.<List<Integer>>path("items.index")).containsExactly(4, 5, 6);
        assertThat(exact.<Object>path("nextOffset")).isNull();

        api().queryParam("offset", 7).get("/api/v1/batches/{id}/results", id)
                .then().statusCode(200).body("items.size()", equalTo(0)).body("nextOffset", nullValue());
        api().queryParam("limit", 0).get("/api/v1/batches/{id}/results", id)
                .then().statusCode(400).contentType("application/problem+json").body("field", equalTo("limit"));
        api().queryParam("offset", -1).get("/api/v1/batches/{id}/results", id)
                .then().statusCode(400).contentType("application/problem+json").body("field", equalTo("offset"));
    }

    @Test
    void taskListFilteredByBatchShowsItsItemsWithBatchIdAndIndex() {
        String id = submitBatchId(Map.of("type", "hash.sha256", "chunkSize", 2,
                "inputs", List.of(Map.of("text", "a"), Map.of("text", "b"), Map.of("text", "c"))));
        String other = submitBatchId(Map.of("type", "noop", "inputs", List.of(Map.of())));
        awaitBatchTerminal(id);
        awaitBatchTerminal(other);

        List<Map<String, Object>> listed = api().queryParam("batchId", id).get("/api/v1/tasks")
                .then().statusCode(200).extract().path("items");
        assertThat(listed).hasSize(3);
        assertThat(listed).extracting(t -> t.get("batchId")).containsOnly(id);
        assertThat(listed).extracting(t -> t.get("index")).containsExactlyInAnyOrder(0, 1, 2);
        for (Map<String, Object> task : listed) {
            int index = (Integer) task.get("index");
            assertThat(task.get("input")).isEqualTo(Map.of("text", List.of("a", "b", "c").get(index)));
            assertThat(task.get("type")).isEqualTo("hash.sha256");
            // Each item is a task of its own.
            api().get("/api/v1/tasks/{id}", task.get("id")).then().statusCode(200)
                    .body("batchId", equalTo(id)).body("index", equalTo(index)).body("state", equalTo("SUCCEEDED"));
        }
        // A single task is no batch item.
        String single = submit("noop", Map.of());
        awaitTerminal(single);
        api().get("/api/v1/tasks/{id}", single).then().statusCode(200)
                .body("batchId", nullValue()).body("index", nullValue());
    }

    @Test
    void longPollAnswersWhenTheBatchIsTerminal() {
        // From before the submission: the items may start before its 202 reaches the client.
        long start = System.nanoTime();
        String id = submitBatchId(Map.of("type", "sleep", "chunkSize", 1,
                "inputs", List.of(Map.of("ms", 300), Map.of("ms", 500))));
        Response done = api().queryParam("waitMs", 30000).get("/api/v1/batches/{id}", id)
                .then().statusCode(200).extract().response();
        long elapsedMs = (System.nanoTime() - start) / 1_000_000;
        assertThat(done.<String>path("state")).isEqualTo("SUCCEEDED");
        assertThat(done.<Integer>path("counts.succeeded")).isEqualTo(2);
        assertThat(done.<String>path("finishedAt")).isNotNull();
        // Woken by the last item (500 ms), long before the wait runs out.
        assertThat(elapsedMs).isBetween(500L, 20_000L);
    }

    @Test
    void longPollAnswersWithTheRunningBatchWhenTheWaitRunsOut() {
        String id = submitBatchId(Map.of("type", "sleep", "inputs", List.of(Map.of("ms", 20_000))));
        try {
            long start = System.nanoTime();
            Response running = api().queryParam("waitMs", 300).get("/api/v1/batches/{id}", id)
                    .then().statusCode(200).extract().response();
            assertThat((System.nanoTime() - start) / 1_000_000).isGreaterThanOrEqualTo(290);
            assertThat(running.<String>path("state")).isEqualTo("RUNNING");
            assertThat(running.<Object>path("finishedAt")).isNull();
            assertThat(running.<Integer>path("counts.queued") + running.<Integer>path("counts.running")).isEqualTo(1);

            // An unfinished item shows its state and no result yet.
            api().get("/api/v1/batches/{id}/results", id).then().statusCode(200)
                    .body("items[0].index", equalTo(0))
                    .body("items[0].state", org.hamcrest.Matchers.oneOf("QUEUED", "RUNNING"))
                    .body("items[0].result", nullValue());
            api().queryParam("waitMs", 60001).get("/api/v1/batches/{id}", id)
                    .then().statusCode(400).contentType("application/problem+json").body("field", equalTo("waitMs"));
        } finally {
            cancelIfRunning(id);
        }
    }

    @Test
    void cancellingALargeBatchAtOnceCancelsEveryItemThatHadNotStarted() {
        // 5,000 items are five stored slices, written as tasks only a little ahead of the claim.
        String id = submitBatchId(Map.of("type", "sleep", "chunkSize", 1, "inputs", inputs(5000, i -> Map.of("ms", 200))));

        Response cancelled = api().post("/api/v1/batches/{id}/cancel", id).then().statusCode(200).extract().response();

        assertThat(cancelled.<String>path("state")).isEqualTo("CANCELLED");
        assertThat(cancelled.<Integer>path("counts.queued")).isZero();
        assertThat(cancelled.<Integer>path("counts.running")).isZero();
        int cancelledItems = cancelled.path("counts.cancelled");
        assertThat(cancelledItems + cancelled.<Integer>path("counts.succeeded")).isEqualTo(5000);
        assertThat(cancelledItems).isGreaterThan(4000);
        List<String> states = new java.util.ArrayList<>();
        for (int offset = 0; offset < 5000; offset += 1000) {
            states.addAll(api().queryParam("offset", offset).queryParam("limit", 1000)
                    .get("/api/v1/batches/{id}/results", id).then().statusCode(200).extract().<List<String>>path(
                            "items.state"));
        }
        assertThat(states).hasSize(5000).doesNotContain("QUEUED", "RUNNING");
        // Only the few items written ahead of the claim became tasks; the rest never will.
        List<Map<String, Object>> written = itemTasks(id);
        assertThat(written).hasSizeLessThanOrEqualTo(3000).extracting(item -> item.get("state"))
                .doesNotContain("QUEUED", "RUNNING");
        assertThat(api().get("/api/v1/batches/{id}", id).then().statusCode(200).extract().<Integer>path(
                "counts.cancelled")).isEqualTo(cancelledItems);
    }

    @Test
    void aFailingItemFailsTheBatchAndOnlyItself() {
        String id = submitBatchId(Map.of("type", "test.chunk", "chunkSize", 1,
                "inputs", List.of(Map.of("n", 25), Map.of("n", 1, "fail", true), Map.of("n", 168))));
        Response done = awaitBatchTerminal(id);
        assertThat(done.<String>path("state")).isEqualTo("FAILED");
        assertThat(done.<Map<String, Integer>>path("counts")).containsExactlyInAnyOrderEntriesOf(Map.of(
                "queued", 0, "running", 0, "succeeded", 2, "failed", 1, "cancelled", 0, "timedOut", 0));
        assertThat(done.<String>path("finishedAt")).isNotNull();

        Response page = api().get("/api/v1/batches/{id}/results", id).then().statusCode(200).extract().response();
        assertThat(page.<List<String>>path("items.state")).containsExactly("SUCCEEDED", "FAILED", "SUCCEEDED");
        assertThat(page.<Integer>path("items[0].result.n")).isEqualTo(25);
        assertThat(page.<Integer>path("items[2].result.n")).isEqualTo(168);
        assertThat(page.<Object>path("items[1].result")).isNull();
        assertThat(page.<String>path("items[1].error.code")).isEqualTo("TASK_FAILED");
        assertThat(page.<String>path("items[1].error.message")).contains("asked to fail");
        assertThat(page.<Object>path("items[0].error")).isNull();
    }

    static Stream<Arguments> badBatches() {
        return Stream.of(
                Arguments.of("missing type", "{\"inputs\": [{}]}", "type", "required"),
                Arguments.of("unknown type", "{\"type\": \"no.such.type\", \"inputs\": [{}]}", "type",
                        "unknown task type 'no.such.type'"),
                Arguments.of("blank type", "{\"type\": \" \", \"inputs\": [{}]}", "type", "not blank"),
                Arguments.of("input not an object", "{\"type\": \"noop\", \"inputs\": [{}, 5]}", "inputs", "inputs[1]"),
                Arguments.of("inputs not an array", "{\"type\": \"noop\", \"inputs\": {}}", "inputs", "array"),
                Arguments.of("unknown field", "{\"type\": \"noop\", \"inputs\": [{}], \"colour\": \"red\"}", "colour",
                        "unknown field 'colour'"),
                Arguments.of("unknown field first", "{\"colour\": \"red\", \"type\": \"noop\", \"inputs\": [{}]}",
                        "colour", "unknown field 'colour'"),
                Arguments.of("empty inputs", "{\"type\": \"noop\", \"inputs\": []}", "inputs", "at least one"),
                Arguments.of("no inputs", "{\"type\": \"noop\"}", "inputs", "at least one"),
                Arguments.of("chunkSize 0", "{\"type\": \"noop\", \"chunkSize\": 0, \"inputs\": [{}]}", "chunkSize",
                        "chunkSize must be between 1"),
                Arguments.of("chunkSize 0 after inputs", "{\"type\": \"noop\", \"inputs\": [{}], \"chunkSize\": 0}",
                        "chunkSize", "was 0"),
                Arguments.of("chunkSize a string", "{\"type\": \"noop\", \"chunkSize\": \"4\", \"inputs\": [{}]}",
                        "chunkSize", "expected an integer"),
                Arguments.of("priority out of range", "{\"type\": \"noop\", \"priority\": 5000, \"inputs\": [{}]}",
                        "priority", "between -1000 and 1000"),
                Arguments.of("timeoutMs 0", "{\"type\": \"noop\", \"timeoutMs\": 0, \"inputs\": [{}]}", "timeoutMs",
                        "was 0"),
                Arguments.of("label not a string", "{\"type\": \"noop\", \"labels\": {\"a\": 1}, \"inputs\": [{}]}",
                        "labels", "label 'a'"),
                Arguments.of("body not an object", "[{\"type\": \"noop\"}]", "body", "JSON object"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badBatches")
    void badRequestIs400NamingTheFieldAndStoresNothing(String name, String body, String field, String detail) {
        String before = newestTaskId();
        api().contentType(ContentType.JSON).body(body)
                .post("/api/v1/batches")
                .then().statusCode(400)
                .contentType("application/problem+json")
                .body("type", equalTo("urn:taskpool:problem:invalid-field"))
                .body("status", equalTo(400))
                .body("field", equalTo(field))
                .body("detail", containsString(detail));
        assertThat(newestTaskId()).as("newest task after a refused batch").isEqualTo(before);
    }

    @Test
    void malformedJsonIs400() {
        api().contentType(ContentType.JSON).body("{\"type\": \"noop\", \"inputs\": [{}, {\"a\": ]}")
                .post("/api/v1/batches")
                .then().statusCode(400)
                .contentType("application/problem+json")
                .body("type", equalTo("urn:taskpool:problem:malformed-json"));
        api().contentType(ContentType.JSON).body("{\"type\": \"noop\", \"inputs\": [{}]} {}")
                .post("/api/v1/batches")
                .then().statusCode(400)
                .contentType("application/problem+json")
                .body("detail", containsString("after its JSON object"));
    }

    @Test
    void aNumberOrNestingBeyondTheParserLimitsIs400NotAnInternalError() {
        for (String body : new String[] {
                "{\"type\": \"noop\", \"priority\": " + "9".repeat(5_000) + ", \"inputs\": [{}]}",
                "{\"type\": \"noop\", \"inputs\": [{\"deep\": " + "[".repeat(5_000) + "]".repeat(5_000) + "}]}"}) {
            api().contentType(ContentType.JSON).body(body)
                    .post("/api/v1/batches")
                    .then().statusCode(400)
                    .contentType("application/problem+json")
                    .body("type", equalTo("urn:taskpool:problem:malformed-json"))
                    .body("detail", containsString("limit"));
        }
    }

    @Test
    void anInputOverTheTaskBodyLimitIs413() {
        String before = newestTaskId();
        String big = "x".repeat(70 * 1024); // taskpool.api.max-body is 64KB in these tests
        api().contentType(ContentType.JSON)
                .body(Map.of("type", "noop", "inputs", List.of(Map.of("n", 0), Map.of("text", big))))
                .post("/api/v1/batches")
                .then().statusCode(413)
                .contentType("application/problem+json")
                .body("type", equalTo("urn:taskpool:problem:body-too-large"));
        assertThat(newestTaskId()).as("newest task after a refused batch").isEqualTo(before);
    }

    @Test
    void unknownOrMalformedBatchIdIs404() {
        String unknown = UUID.randomUUID().toString();
        api().get("/api/v1/batches/{id}", unknown)
                .then().statusCode(404)
                .contentType("application/problem+json")
                .body("type", equalTo("urn:taskpool:problem:batch-not-found"))
                .body("batchId", equalTo(unknown))
                .body("detail", containsString(unknown));
        api().get("/api/v1/batches/{id}/results", unknown)
                .then().statusCode(404).body("type", equalTo("urn:taskpool:problem:batch-not-found"));
        api().post("/api/v1/batches/{id}/cancel", unknown)
                .then().statusCode(404).body("type", equalTo("urn:taskpool:problem:batch-not-found"));
        api().get("/api/v1/batches/{id}", "not-a-uuid")
                .then().statusCode(404)
                .contentType("application/problem+json")
                .body("type", equalTo("urn:taskpool:problem:batch-not-found"));
        // A task id is no batch id.
        String task = submit("noop", Map.of());
        api().get("/api/v1/batches/{id}", task)
                .then().statusCode(404).body("type", equalTo("urn:taskpool:problem:batch-not-found"));
        awaitTerminal(task);
    }

    @Test
    void fieldsAfterTheInputsAreHonoured() {
        String body = """
                {"inputs": [{"ms": 1}, {"ms": 2}, {"ms": 3}],
                 "type": "sleep", "priority": 7, "chunkSize": 2, "timeoutMs": 45000, "labels": {"k": "v"}}
                """;
        Response accepted = submitBatch(body);
        String id = accepted.path("id");
        assertThat(accepted.<String>path("type")).isEqualTo("sleep");
        assertThat(accepted.<Integer>path("size")).isEqualTo(3);
        assertThat(accepted.<Integer>path("priority")).isEqualTo(7);
        assertThat(accepted.<Integer>path("chunkSize")).isEqualTo(2);
        assertThat(accepted.<Integer>path("timeoutMs")).isEqualTo(45000);
        assertThat(accepted.<Map<String, String>>path("labels")).isEqualTo(Map.of("k", "v"));

        Response done = awaitBatchTerminal(id);
        assertThat(done.<String>path("state")).isEqualTo("SUCCEEDED");
        assertThat(done.<String>path("type")).isEqualTo("sleep");
        assertThat(done.<Integer>path("priority")).isEqualTo(7);
        assertThat(done.<Integer>path("chunkSize")).isEqualTo(2);
        assertThat(done.<Integer>path("timeoutMs")).isEqualTo(45000);
        List<Map<String, Object>> items = itemTasks(id);
        assertThat(items).hasSize(3).allSatisfy(item -> assertThat(item)
                .containsEntry("type", "sleep").containsEntry("priority", 7).containsEntry("timeoutMs", 45000)
                .containsEntry("labels", Map.of("k", "v")).containsEntry("state", "SUCCEEDED"));
        // The chunk size came late too, yet items 0 and 1 went to one worker as one chunk.
        assertThat(items.get(0).get("workerPid")).isNotNull().isEqualTo(items.get(1).get("workerPid"));
        assertThat(api().get("/api/v1/batches/{id}/results", id).then().extract().<List<Integer>>path(
                "items.result.sleptMs")).hasSize(3).allSatisfy(ms -> assertThat(ms).isBetween(1, 5000));
    }

    @Test
    void fieldsOnBothSidesOfTheInputsCombine() {
        String id = submitBatchId("""
                {"type": "noop", "priority": -2, "inputs": [{"n": 0}, {"n": 1}], "labels": {"side": "after"}}
                """);
        Response done = awaitBatchTerminal(id);
        assertThat(done.<String>path("state")).isEqualTo("SUCCEEDED");
        assertThat(done.<Integer>path("priority")).isEqualTo(-2);
        assertThat(done.<Map<String, String>>path("labels")).isEqualTo(Map.of("side", "after"));
        assertThat(itemTasks(id)).hasSize(2).allSatisfy(item -> assertThat(item)
                .containsEntry("priority", -2).containsEntry("labels", Map.of("side", "after")));
    }

    @Test
    void defaultsApplyToAnAbsentChunkSizePriorityAndTimeout() {
        Response accepted = submitBatch(Map.of("type", "noop", "inputs", inputs(40, i -> Map.of("n", i))));
        String id = accepted.path("id");
        // Pool.map's rule: about four chunks per worker, 40 / (4 * 3) rounded up.
        assertThat(accepted.<Integer>path("chunkSize")).isEqualTo(4);
        assertThat(accepted.<Integer>path("priority")).isZero();
        assertThat(accepted.<Integer>path("timeoutMs")).isEqualTo(300_000);
        assertThat(accepted.<Map<String, String>>path("labels")).isEmpty();
        assertThat(awaitBatchTerminal(id).<Integer>path("counts.succeeded")).isEqualTo(40);
    }

    /** The id of the newest task: unchanged if a request stored nothing. */
    private String newestTaskId() {
        return api().queryParam("limit", 1).get("/api/v1/tasks").then().statusCode(200).extract().path("items[0].id");
    }
}
