package io.taskpool.support;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;

import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.time.Duration;
import java.util.Map;

/**
 * The task API calls that every test of the HTTP API repeats, whatever runs the service (a test
 * context on a random port, {@link StandaloneService}, {@link ServiceProcess}): submit a task,
 * read one back, wait for its end.
 */
public final class TaskRequests {

    private TaskRequests() {}

    /** Submits a task of {@code type} with {@code input}, expects it accepted (202) and returns its id. */
    public static String submit(int port, String type, Map<String, ?> input) {
        return submit(port, Map.of("type", type, "input", input));
    }

    /** Submits a task, expects it accepted (202) and returns its id. */
    public static String submit(int port, Map<String, ?> body) {
        return post(port, body).then().statusCode(202).extract().path("id");
    }

    /** Submits a task and returns the response whatever its status, for tests that expect a refusal. */
    public static Response post(int port, Map<String, ?> body) {
        return given().port(port).contentType(ContentType.JSON).body(body).post("/api/v1/tasks")
                .then().extract().response();
    }

    /** Reads a task that must exist (200). */
    public static Response task(int port, String id) {
        return given().port(port).get("/api/v1/tasks/{id}", id).then().statusCode(200).extract().response();
    }

    /** Long-polls the task until it is terminal; fails if it is not within {@code deadline}. */
    public static Response awaitTerminal(int port, String id, Duration deadline) {
        return await().atMost(deadline).until(
                () -> given().port(port).queryParam("waitMs", 5000).get("/api/v1/tasks/{id}", id)
                        .then().statusCode(200).extract().response(),
                task -> !"QUEUED".equals(task.path("state")) && !"RUNNING".equals(task.path("state")));
    }
}
