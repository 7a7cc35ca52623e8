package io.taskpool.support;

import static io.restassured.RestAssured.given;

import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.util.Map;

/**
 * The task API calls that tests of a service on a port of its own ({@link StandaloneService},
 * {@link ServiceProcess}) repeat: submit a task, read one back.
 */
public final class TaskRequests {

    private TaskRequests() {}

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
}
