package io.taskpool.support;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;

import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Base of the HTTP tests: the whole service on random ports with three real worker processes,
 * the faulty test handlers on their class path and an in-memory store. One configuration for all
 * subclasses, so Spring starts it once.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
        "spring.datasource.url=jdbc:h2:mem:taskpool-service-test;DB_CLOSE_DELAY=-1",
        "management.server.port=0",
        "taskpool.node-id=service-test",
        "taskpool.workers.count=3",
        "taskpool.workers.max-heap=64MB",
        "taskpool.workers.class-path=target/test-classes",
        "taskpool.tasks.cancel-grace=500ms",
        "taskpool.api.max-body=64KB",
        "taskpool.tasks.max-result=128KB"})
public abstract class ServiceTest {

    protected static final Duration DEADLINE = Duration.ofSeconds(30);
    /** Three workers: one test at a time may rely on all of them being idle. */
    protected static final int WORKERS = 3;

    @LocalServerPort
    protected int port;

    @LocalManagementPort
    protected int managementPort;

    protected RequestSpecification api() {
        return given().port(port).accept(ContentType.JSON);
    }

    protected RequestSpecification management() {
        return given().port(managementPort);
    }

    /** Submits a task and returns its id. */
    protected String submit(String type, Map<String, ?> input) {
        return submit(Map.of("type", type, "input", input));
    }

    protected String submit(Map<String, ?> body) {
        return TaskRequests.submit(port, body);
    }

    protected Response task(String id) {
        return TaskRequests.task(port, id);
    }

    /** Long-polls until the task is terminal; fails if it is not within the deadline. */
    protected Response awaitTerminal(String id) {
        return TaskRequests.awaitTerminal(port, id, DEADLINE);
    }

    protected Response awaitState(String id, String state) {
        Response[] last = new Response[1];
        await().atMost(DEADLINE).pollInterval(Duration.ofMillis(20)).until(() -> {
            last[0] = task(id);
            return state.equals(last[0].path("state"));
        });
        return last[0];
    }

    /** Waits until every worker is idle, so a test starts from a full pool. */
    @BeforeEach
    protected void awaitFullPool() {
        await().atMost(DEADLINE).pollInterval(Duration.ofMillis(20)).until(() -> {
            Response pool = api().get("/api/v1/workers").then().extract().response();
            Integer idle = pool.path("idle");
            return idle != null && idle == WORKERS;
        });
    }

    /** The pids of the pool's workers now (the spare's not among them). */
    protected Set<Long> workerPids() {
        List<Number> pids = api().get("/api/v1/workers").then().statusCode(200).extract().path("workers.pid");
        return pids.stream().filter(Objects::nonNull).map(Number::longValue).collect(Collectors.toSet());
    }

    /** True while the process is alive. */
    protected static boolean alive(long pid) {
        return Processes.isRunning(pid);
    }
}
