package io.taskpool.api;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

import io.restassured.http.ContentType;
import io.taskpool.support.ServiceTest;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Bad input gets a specific problem+json answer with the right status, never a 500 or a stack trace. */
class ApiErrorsIT extends ServiceTest {

    private io.restassured.response.ValidatableResponse post(String body) {
        return api().contentType(ContentType.JSON).body(body).post("/api/v1/tasks").then()
                .contentType("application/problem+json")
                .body("detail", not(containsString("Exception")))
                .body("detail", not(containsString("\tat ")));
    }

    @Test
    void malformedJsonIs400() {
        post("{\"type\": \"noop\",").statusCode(400)
                .body("type", equalTo("urn:taskpool:problem:malformed-json"))
                .body("detail", containsString("not valid JSON"));
    }

    @Test
    void emptyBodyIs400() {
        post("").statusCode(400).body("title", equalTo("Malformed JSON"));
    }

    @Test
    void missingTypeIs400NamingTheField() {
        post("{\"input\": {}}").statusCode(400).body("field", equalTo("type"));
    }

    @Test
    void unknownTypeIs400NamingTheKnownTypes() {
        post("{\"type\": \"primes.cont\"}").statusCode(400)
                .body("field", equalTo("type"))
                .body("detail", containsString("unknown task type 'primes.cont'"))
                .body("detail", containsString("primes.count"));
    }

    @Test
    void negativeTimeoutIs400NamingTheField() {
        post("{\"type\": \"noop\", \"timeoutMs\": -5}").statusCode(400)
                .body("field", equalTo("timeoutMs"));
    }

    @Test
    void timeoutAboveTheMaximumIs400() {
        post("{\"type\": \"noop\", \"timeoutMs\": 3600001}").statusCode(400)
                .body("field", equalTo("timeoutMs"))
                .body("detail", containsString("taskpool.tasks.max-timeout"));
    }

    @Test
    void wrongFieldTypeIs400NamingTheField() {
        post("{\"type\": \"noop\", \"timeoutMs\": \"soon\"}").statusCode(400)
                .body("field", equalTo("timeoutMs"));
    }

    @Test
    void priorityOutOfRangeIs400() {
        post("{\"type\": \"noop\", \"priority\": 5000}").statusCode(400).body("field", equalTo("priority"));
    }

    @Test
    void unknownFieldIs400NamingIt() {
        post("{\"type\": \"noop\", \"timeout\": 5}").statusCode(400)
                .body("field", equalTo("timeout"))
                .body("detail", containsString("unknown field 'timeout'"));
    }

    @Test
    void inputThatIsNotAnObjectIs400() {
        post("{\"type\": \"noop\", \"input\": [1, 2]}").statusCode(400).body("field", equalTo("input"));
    }

    @Test
    void oversizedBodyIs413() {
        String big = "x".repeat(70 * 1024);
        post("{\"type\": \"noop\", \"input\": {\"text\": \"" + big + "\"}}").statusCode(413)
                .body("detail", containsString("taskpool.api.max-body"));
    }

    @Test
    void oversizedChunkedBodyIs413() {
        String big = "{\"type\": \"noop\", \"input\": {\"text\": \"" + "x".repeat(70 * 1024) + "\"}}";
        api().contentType(ContentType.JSON)
                .body(new java.io.ByteArrayInputStream(big.getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                .post("/api/v1/tasks")
                .then().statusCode(413).contentType("application/problem+json");
    }

    @Test
    void inputThatGrowsPastTheLimitWhenNormalisedIs413() {
        // 1e9 is written back as 1.0E9: a body just under the limit becomes an input over it.
        StringBuilder numbers = new StringBuilder();
        while (numbers.length() < 60 * 1024) {
            numbers.append(numbers.length() == 0 ? "" : ",").append("1e9");
        }
        post("{\"type\": \"noop\", \"input\": {\"n\": [" + numbers + "]}}").statusCode(413)
                .body("detail", containsString("as stored"));
    }

    @Test
    void undecodableQueryStringIs400() throws Exception {
        // Sent raw: a client library would refuse to build this URL.
        try (java.net.Socket socket = new java.net.Socket("localhost", port)) {
            socket.getOutputStream().write(("GET /api/v1/tasks?state=%ZZ HTTP/1.1\r\nHost: localhost\r\n"
                    + "Accept: application/json\r\nConnection: close\r\n\r\n")
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            String reply = new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            org.assertj.core.api.Assertions.assertThat(reply).startsWith("HTTP/1.1 400")
                    .contains("application/problem+json").doesNotContain("Exception");
        }
    }

    @Test
    void unacceptableAcceptHeaderIs406WithAProblemType() {
        api().accept("text/csv").get("/api/v1/task-types").then().statusCode(406)
                .body(containsString("urn:taskpool:problem:http-406"));
    }

    @Test
    void wrongContentTypeIs415() {
        api().contentType(ContentType.TEXT).body("type=noop").post("/api/v1/tasks")
                .then().statusCode(415).contentType("application/problem+json")
                .body("detail", containsString("application/json"));
    }

    @Test
    void unknownIdIs404() {
        api().get("/api/v1/tasks/{id}", "6f1c2d3e-0000-4000-8000-000000000000")
                .then().statusCode(404).contentType("application/problem+json")
                .body("taskId", equalTo("6f1c2d3e-0000-4000-8000-000000000000"));
        api().get("/api/v1/tasks/{id}/result", "6f1c2d3e-0000-4000-8000-000000000000").then().statusCode(404);
        api().post("/api/v1/tasks/{id}/cancel", "6f1c2d3e-0000-4000-8000-000000000000").then().statusCode(404);
        api().delete("/api/v1/tasks/{id}", "6f1c2d3e-0000-4000-8000-000000000000").then().statusCode(404);
    }

    @Test
    void malformedIdIs404() {
        api().get("/api/v1/tasks/{id}", "not-a-task").then().statusCode(404)
                .contentType("application/problem+json");
    }

    @Test
    void listParametersAreValidated() {
        api().queryParam("limit", 0).get("/api/v1/tasks").then().statusCode(400)
                .contentType("application/problem+json").body("field", equalTo("limit"));
        api().queryParam("limit", 1001).get("/api/v1/tasks").then().statusCode(400).body("field", equalTo("limit"));
        api().queryParam("limit", "many").get("/api/v1/tasks").then().statusCode(400).body("field", equalTo("limit"));
        api().queryParam("state", "DONE").get("/api/v1/tasks").then().statusCode(400)
                .body("field", equalTo("state")).body("detail", containsString("SUCCEEDED"));
        api().queryParam("cursor", "bogus!").get("/api/v1/tasks").then().statusCode(400)
                .body("field", equalTo("cursor"));
    }

    @Test
    void waitOutOfRangeIs400() {
        String id = submit("noop", Map.of());
        api().queryParam("waitMs", 60001).get("/api/v1/tasks/{id}", id).then().statusCode(400)
                .contentType("application/problem+json").body("field", equalTo("waitMs"));
        api().queryParam("waitMs", -1).get("/api/v1/tasks/{id}", id).then().statusCode(400)
                .body("field", equalTo("waitMs"));
    }

    @Test
    void unknownPathIs404AndWrongMethodIs405() {
        api().get("/api/v1/nothing-here").then().statusCode(404).contentType("application/problem+json");
        api().put("/api/v1/tasks").then().statusCode(405).contentType("application/problem+json");
    }

    @Test
    void actuatorIsNotServedOnTheApiPort() {
        api().get("/actuator/health").then().statusCode(404);
    }
}
