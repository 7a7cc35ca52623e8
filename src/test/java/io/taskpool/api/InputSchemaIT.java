package io.taskpool.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;

import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.taskpool.support.ServiceTest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Input schemas over HTTP: listed with the task types, enforced on tasks and batches before anything is stored. */
class InputSchemaIT extends ServiceTest {

    /** The id of the newest task in the store, or null: a refused submission must leave it as it is. */
    private String newestTaskId() {
        List<String> ids = api().queryParam("limit", 1).get("/api/v1/tasks").then().statusCode(200)
                .extract().path("items.id");
        return ids.isEmpty() ? null : ids.get(0);
    }

    @Test
    void taskTypesShowTheirInputSchema() {
        Response types = api().get("/api/v1/task-types").then().statusCode(200).extract().response();

        Map<String, Object> primes = types.path("find { it.type == 'primes.count' }.inputSchema");
        assertThat(primes).containsEntry("type", "object").containsEntry("required", List.of("below"));
        assertThat(types.<Map<String, Object>>path("find { it.type == 'primes.count' }.inputSchema.properties.below"))
                .containsEntry("type", "integer").containsEntry("minimum", 0).containsEntry("maximum", 2000000000);
        assertThat(types.<Object>path("find { it.type == 'test.pid' }.inputSchema")).isNull();
    }

    @Test
    void anInputThatBreaksTheSchemaIsRefusedAndNothingIsQueued() {
        String newest = newestTaskId();

        api().contentType(ContentType.JSON).body(Map.of("type", "primes.count", "input", Map.of("below", "ten")))
                .post("/api/v1/tasks")
                .then().statusCode(400)
                .contentType("application/problem+json")
                .body("type", equalTo("urn:taskpool:problem:invalid-input"))
                .body("title", equalTo("Invalid input"))
                .body("field", equalTo("input"))
                .body("path", equalTo("$.below"))
                .body("detail", equalTo("$.below: string found, integer expected"));

        assertThat(newestTaskId()).isEqualTo(newest);
    }

    @Test
    void aMissingRequiredFieldIsNamedAtTheRoot() {
        api().contentType(ContentType.JSON).body(Map.of("type", "sleep", "input", Map.of("millis", 5)))
                .post("/api/v1/tasks")
                .then().statusCode(400)
                .body("path", equalTo("$"))
                .body("detail", equalTo("$: required property 'ms' not found"));
    }

    @Test
    void anInputThatMatchesRuns() {
        String id = submit("primes.count", Map.of("below", 100));

        Response done = awaitTerminal(id);
        assertThat(done.<String>path("state")).isEqualTo("SUCCEEDED");
        assertThat(done.<Integer>path("result.count")).isEqualTo(25);
    }

    @Test
    void aBatchWithOneBadInputIsRefusedNamingItsIndexAndStoresNothing() {
        String newest = newestTaskId();

        api().contentType(ContentType.JSON)
                .body(Map.of("type", "primes.count", "inputs", List.of(Map.of("below", 10), Map.of("below", 20),
                        Map.of("below", -5), Map.of("below", 30))))
                .post("/api/v1/batches")
                .then().statusCode(400)
                .body("type", equalTo("urn:taskpool:problem:invalid-input"))
                .body("field", equalTo("inputs"))
                .body("index", equalTo(2))
                .body("path", equalTo("$.below"))
                .body("detail", startsWith("inputs[2]: $.below: must have a minimum value of 0"));

        assertThat(newestTaskId()).isEqualTo(newest);
    }

    @Test
    void aBatchThatNamesItsTypeAfterTheInputsIsCheckedAllTheSame() {
        String newest = newestTaskId();

        api().contentType(ContentType.JSON)
                .body("{\"inputs\": [{\"below\": 10}, {\"below\": 1.5}], \"type\": \"primes.count\"}")
                .post("/api/v1/batches")
                .then().statusCode(400)
                .body("index", equalTo(1))
                .body("detail", equalTo("inputs[1]: $.below: number found, integer expected"));

        assertThat(newestTaskId()).isEqualTo(newest);
    }

    @Test
    void aBatchOfGoodInputsIsAccepted() {
        String id = api().contentType(ContentType.JSON)
                .body(Map.of("type", "hash.sha256", "inputs", List.of(Map.of("text", "a"), Map.of("text", "b"))))
                .post("/api/v1/batches")
                .then().statusCode(202)
                .extract().path("id");

        api().queryParam("waitMs", 20000).get("/api/v1/batches/{id}", id)
                .then().statusCode(200).body("state", equalTo("SUCCEEDED"));
    }

    @Test
    void aTypeWithoutASchemaTakesAnyInput() {
        String id = submit("test.pid", Map.of("below", "ten"));

        assertThat(awaitTerminal(id).<String>path("state")).isEqualTo("SUCCEEDED");
        api().get("/api/v1/tasks/{id}", id).then().body("error", nullValue());
    }
}
