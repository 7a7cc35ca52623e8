package io.taskpool.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * API keys and tenants over real HTTP: 401 without a key, 403 without the role, 404 for another
 * tenant's work on every endpoint, the tenant's queue limit and the key's rate limit as 429, and
 * the round-robin between tenants. One worker, so that fairness is observable.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
        "spring.datasource.url=jdbc:h2:mem:taskpool-security-test;DB_CLOSE_DELAY=-1",
        "management.server.port=0",
        "taskpool.node-id=security-test",
        "taskpool.workers.count=1",
        "taskpool.workers.max-heap=64MB",
        "taskpool.tasks.cancel-grace=500ms",
        "taskpool.security.api-keys[0].tenant=acme",
        "taskpool.security.api-keys[0].key-sha256=" + SecurityIT.ACME_HASH,
        "taskpool.security.api-keys[0].roles=submit,read",
        "taskpool.security.api-keys[1].tenant=beta",
        "taskpool.security.api-keys[1].key-sha256=" + SecurityIT.BETA_HASH,
        "taskpool.security.api-keys[1].roles=submit,read",
        "taskpool.security.api-keys[2].tenant=acme",
        "taskpool.security.api-keys[2].key-sha256=" + SecurityIT.READER_HASH,
        "taskpool.security.api-keys[2].roles=read",
        "taskpool.security.api-keys[3].tenant=acme",
        "taskpool.security.api-keys[3].key-sha256=" + SecurityIT.SUBMITTER_HASH,
        "taskpool.security.api-keys[3].roles=submit",
        "taskpool.security.api-keys[4].tenant=ops",
        "taskpool.security.api-keys[4].key-sha256=" + SecurityIT.ADMIN_HASH,
        "taskpool.security.api-keys[4].roles=admin",
        "taskpool.security.api-keys[5].tenant=slow",
        "taskpool.security.api-keys[5].key-sha256=" + SecurityIT.LIMITED_HASH,
        "taskpool.security.api-keys[5].roles=read",
        "taskpool.security.api-keys[5].requests-per-second=0.05",
        "taskpool.security.api-keys[5].burst=2",
        "taskpool.security.api-keys[6].tenant=small",
        "taskpool.security.api-keys[6].key-sha256=" + SecurityIT.SMALL_HASH,
        "taskpool.security.api-keys[6].roles=submit,read",
        "taskpool.security.tenants.small.max-queued=3"})
class SecurityIT {

    // SHA-256 of "acme-key", "beta-key", "acme-reader", "acme-submitter", "ops-admin", "slow-key", "small-key".
    static final String ACME_HASH = "afacab3575137afa4e00d9cbcafcb14c9ae25f779d964eb0ea5b2c4eb5dfd163";
    static final String BETA_HASH = "7a3d637bc601f7000cc2c33141c8c8a7554e02e319fa8b293a0c88c613b77620";
    static final String READER_HASH = "8e0432ee086eed537a3cd389ab77d96210f80494082dc698ffaeb95815dc32c7";
    static final String SUBMITTER_HASH = "82597d9dd1971718adf50ad721b5a99183e0338bd5f2b0c4af42bbca20a09ce7";
    static final String ADMIN_HASH = "5f71136be988e40f67fd1abe27d29ac5d622febdce6986d50e56d9ff13dc977f";
    static final String LIMITED_HASH = "6fa0d18ad9d40c2e55ddba9c9110a429590843f1c7096d894e1f3aa68c420cee";
    static final String SMALL_HASH = "d8484842191ca22753c34aa50a10220331c45ca5e3cc419ee26c61a54630bd52";

    private static final Duration DEADLINE = Duration.ofSeconds(30);

    @LocalServerPort
    int port;

    @LocalManagementPort
    int managementPort;

    private final List<String> toCancel = new ArrayList<>();

    RequestSpecification as(String key) {
        RequestSpecification request = given().port(port).accept(ContentType.JSON);
        return key == null ? request : request.header("Authorization", "Bearer " + key);
    }

    String submit(String key, Map<String, ?> body) {
        return as(key).contentType(ContentType.JSON).body(body).post("/api/v1/tasks")
                .then().statusCode(202).extract().path("id");
    }

    Response awaitTerminal(String key, String id) {
        Response[] last = new Response[1];
        await().atMost(DEADLINE).until(() -> {
            last[0] = as(key).queryParam("waitMs", 5000).get("/api/v1/tasks/{id}", id)
                    .then().statusCode(200).extract().response();
            String state = last[0].path("state");
            return !state.equals("QUEUED") && !state.equals("RUNNING");
        });
        return last[0];
    }

    @BeforeEach
    void idlePool() {
        await().atMost(DEADLINE).until(() -> {
            Integer idle = as("ops-admin").get("/api/v1/workers").then().extract().path("idle");
            return idle != null && idle == 1;
        });
    }

    @AfterEach
    void cancelLeftovers() {
        for (String id : toCancel) {
            as("ops-admin").post("/api/v1/tasks/{id}/cancel", id);
        }
        toCancel.clear();
    }

    @Test
    void everyApiEndpointNeedsAKey() {
        String id = submit("acme-key", Map.of("type", "noop", "input", Map.of()));
        List<Response> answers = List.of(
                as(null).get("/api/v1/tasks"),
                as(null).get("/api/v1/tasks/{id}", id),
                as(null).get("/api/v1/tasks/{id}/result", id),
                as(null).get("/api/v1/tasks/{id}/logs", id),
                as(null).accept("text/event-stream").get("/api/v1/tasks/{id}/events", id),
                as(null).accept("text/event-stream").get("/api/v1/events"),
                as(null).post("/api/v1/tasks/{id}/cancel", id),
                as(null).delete("/api/v1/tasks/{id}", id),
                as(null).contentType(ContentType.JSON).body(Map.of("type", "noop")).post("/api/v1/tasks"),
                as(null).contentType(ContentType.JSON).body(Map.of("type", "noop", "inputs", List.of(Map.of())))
                        .post("/api/v1/batches"),
                as(null).get("/api/v1/batches/{id}", id),
                as(null).get("/api/v1/task-types"),
                as(null).get("/api/v1/workers"),
                as(null).post("/api/v1/workers/restart"),
                as("not-a-key").get("/api/v1/tasks"),
                as("a.b.c").get("/api/v1/tasks"));
        for (Response answer : answers) {
            assertThat(answer.statusCode()).isEqualTo(401);
            assertThat(answer.contentType()).startsWith("application/problem+json");
            assertThat(answer.header("WWW-Authenticate")).startsWith("Bearer");
            assertThat(answer.<String>path("type")).isEqualTo("urn:taskpool:problem:unauthorized");
        }
        // A header of another scheme is no key either.
        given().port(port).header("Authorization", "Basic YWRtaW46YWRtaW4=").get("/api/v1/tasks")
                .then().statusCode(401);
    }

    @Test
    void probesTheSpecAndSwaggerNeedNoKey() {
        given().port(managementPort).get("/actuator/health/readiness").then().statusCode(200);
        given().port(managementPort).get("/actuator/prometheus").then().statusCode(200);
        given().port(port).get("/v3/api-docs").then().statusCode(200);
        given().port(port).get("/swagger-ui/index.html").then().statusCode(200);
    }

    @Test
    void aKeyWithoutTheRoleGets403() {
        String id = submit("acme-key", Map.of("type", "noop", "input", Map.of()));
        awaitTerminal("acme-key", id);
        as("acme-reader").get("/api/v1/tasks/{id}", id).then().statusCode(200);
        as("acme-reader").get("/api/v1/task-types").then().statusCode(200);
        for (Response refused : List.of(
                as("acme-reader").contentType(ContentType.JSON).body(Map.of("type", "noop")).post("/api/v1/tasks"),
                as("acme-reader").post("/api/v1/tasks/{id}/cancel", id),
                as("acme-reader").delete("/api/v1/tasks/{id}", id),
                as("acme-submitter").get("/api/v1/tasks/{id}", id),
                as("acme-submitter").get("/api/v1/tasks"),
                as("acme-key").get("/api/v1/workers"),
                as("acme-key").post("/api/v1/workers/restart"))) {
            assertThat(refused.statusCode()).isEqualTo(403);
            assertThat(refused.contentType()).startsWith("application/problem+json");
            assertThat(refused.<String>path("type")).isEqualTo("urn:taskpool:problem:forbidden");
        }
        as("acme-submitter").get("/api/v1/task-types").then().statusCode(200);
        as("ops-admin").get("/api/v1/workers").then().statusCode(200).body("workers.size()", equalTo(1));
        as("acme-submitter").delete("/api/v1/tasks/{id}", id).then().statusCode(204);
    }

    @Test
    void anotherTenantsTaskIsNotFoundOnEveryEndpoint() {
        String id = submit("acme-key", Map.of("type", "noop", "input", Map.of(), "labels", Map.of("secret", "x")));
        Response mine = awaitTerminal("acme-key", id);
        assertThat(mine.<String>path("tenant")).isEqualTo("acme");
        List<Response> answers = List.of(
                as("beta-key").get("/api/v1/tasks/{id}", id),
                as("beta-key").queryParam("waitMs", 100).get("/api/v1/tasks/{id}", id),
                as("beta-key").get("/api/v1/tasks/{id}/result", id),
                as("beta-key").accept("text/plain").get("/api/v1/tasks/{id}/logs", id),
                as("beta-key").accept("text/event-stream").get("/api/v1/tasks/{id}/events", id),
                as("beta-key").post("/api/v1/tasks/{id}/cancel", id),
                as("beta-key").delete("/api/v1/tasks/{id}", id));
        for (Response answer : answers) {
            assertThat(answer.statusCode()).isEqualTo(404);
            assertThat(answer.contentType()).startsWith("application/problem+json");
            assertThat(answer.<String>path("type")).isEqualTo("urn:taskpool:problem:task-not-found");
        }
        // Still there for its own tenant and for an administrator.
        as("acme-key").get("/api/v1/tasks/{id}/result", id).then().statusCode(200);
        as("ops-admin").get("/api/v1/tasks/{id}", id).then().statusCode(200).body("tenant", equalTo("acme"));
        // Lists: each tenant sees its own; the administrator sees both.
        String betaTask = submit("beta-key", Map.of("type", "noop", "input", Map.of()));
        awaitTerminal("beta-key", betaTask);
        List<String> betaSees = as("beta-key").queryParam("limit", 1000).get("/api/v1/tasks")
                .then().statusCode(200).extract().path("items.id");
        List<String> acmeSees = as("acme-key").queryParam("limit", 1000).get("/api/v1/tasks")
                .then().statusCode(200).extract().path("items.id");
        List<String> adminSees = as("ops-admin").queryParam("limit", 1000).get("/api/v1/tasks")
                .then().statusCode(200).extract().path("items.id");
        assertThat(betaSees).contains(betaTask).doesNotContain(id);
        assertThat(acmeSees).contains(id).doesNotContain(betaTask);
        assertThat(adminSees).contains(id, betaTask);
        List<String> tenants = as("beta-key").queryParam("limit", 1000).get("/api/v1/tasks").path("items.tenant");
        assertThat(tenants).containsOnly("beta");
    }

    @Test
    void anotherTenantsBatchIsNotFoundOnEveryEndpoint() {
        String batch = as("acme-key").contentType(ContentType.JSON)
                .body(Map.of("type", "noop", "inputs", List.of(Map.of(), Map.of())))
                .post("/api/v1/batches").then().statusCode(202).extract().path("id");
        as("acme-key").queryParam("waitMs", 20000).get("/api/v1/batches/{id}", batch)
                .then().statusCode(200).body("state", equalTo("SUCCEEDED")).body("tenant", equalTo("acme"));
        List<Response> answers = List.of(
                as("beta-key").get("/api/v1/batches/{id}", batch),
                as("beta-key").queryParam("waitMs", 100).get("/api/v1/batches/{id}", batch),
                as("beta-key").get("/api/v1/batches/{id}/results", batch),
                as("beta-key").accept("application/x-ndjson").get("/api/v1/batches/{id}/results", batch),
                as("beta-key").post("/api/v1/batches/{id}/cancel", batch));
        for (Response answer : answers) {
            assertThat(answer.statusCode()).isEqualTo(404);
            assertThat(answer.contentType()).startsWith("application/problem+json");
            assertThat(answer.<String>path("type")).isEqualTo("urn:taskpool:problem:batch-not-found");
        }
        List<String> items = as("beta-key").queryParam("batchId", batch).get("/api/v1/tasks").path("items.id");
        assertThat(items).isEmpty();
        as("acme-key").get("/api/v1/batches/{id}/results", batch).then().statusCode(200)
                .body("items.size()", equalTo(2));
    }

    @Test
    void theGlobalEventStreamShowsOnlyTheCallersTasks() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/api/v1/events"))
                .header("Authorization", "Bearer beta-key").header("Accept", "text/event-stream").build();
        HttpResponse<Stream<String>> stream = http.send(request, HttpResponse.BodyHandlers.ofLines());
        assertThat(stream.statusCode()).isEqualTo(200);
        try (Stream<String> lines = stream.body()) {
            Iterator<String> reader = lines.iterator();
            assertThat(reader.next()).startsWith(":"); // subscribed
            String acmeTask = submit("acme-key", Map.of("type", "noop", "input", Map.of()));
            awaitTerminal("acme-key", acmeTask);
            String betaTask = submit("beta-key", Map.of("type", "noop", "input", Map.of()));
            List<String> seen = new ArrayList<>();
            CompletableFuture<Void> untilBetaDone = CompletableFuture.runAsync(() -> {
                while (reader.hasNext()) {
                    String line = reader.next();
                    seen.add(line);
                    if (line.startsWith("data:") && line.contains(betaTask) && line.contains("SUCCEEDED")) {
                        return;
                    }
                }
            });
            untilBetaDone.get(30, TimeUnit.SECONDS);
            assertThat(String.join("\n", seen)).contains(betaTask).doesNotContain(acmeTask);
        }
    }

    @Test
    void idempotencyKeysAreEachTenantsOwn() {
        String key = "shared-" + Instant.now().toEpochMilli();
        String acme = as("acme-key").contentType(ContentType.JSON).header("Idempotency-Key", key)
                .body(Map.of("type", "noop", "input", Map.of("n", 1))).post("/api/v1/tasks")
                .then().statusCode(202).extract().path("id");
        String beta = as("beta-key").contentType(ContentType.JSON).header("Idempotency-Key", key)
                .body(Map.of("type", "noop", "input", Map.of("n", 2))).post("/api/v1/tasks")
                .then().statusCode(202).extract().path("id");
        assertThat(beta).isNotEqualTo(acme);
        as("beta-key").contentType(ContentType.JSON).header("Idempotency-Key", key)
                .body(Map.of("type", "noop", "input", Map.of("n", 2))).post("/api/v1/tasks")
                .then().statusCode(200).body("id", equalTo(beta));
    }

    @Test
    void aTenantPastItsQueueLimitGets429() {
        // One worker runs the first sleep; the rest wait until the tenant's limit of 3 is queued.
        Response refused = null;
        for (int i = 0; i < 10 && refused == null; i++) {
            Response answer = as("small-key").contentType(ContentType.JSON)
                    .body(Map.of("type", "sleep", "input", Map.of("ms", 30_000))).post("/api/v1/tasks");
            if (answer.statusCode() == 202) {
                toCancel.add(answer.path("id"));
            } else {
                refused = answer;
            }
        }
        assertThat(refused).as("a submission past the tenant's limit").isNotNull();
        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(refused.contentType()).startsWith("application/problem+json");
        assertThat(refused.header("Retry-After")).isNotBlank();
        assertThat(refused.<String>path("type")).isEqualTo("urn:taskpool:problem:queue-full");
        assertThat(refused.<String>path("detail")).contains("tenant 'small'");
        List<String> queued = as("small-key").queryParam("state", "QUEUED").get("/api/v1/tasks").path("items.id");
        assertThat(queued).hasSizeLessThanOrEqualTo(3);
        // Other tenants are not held back by it.
        submit("beta-key", Map.of("type", "noop", "input", Map.of()));
    }

    @Test
    void aKeyPastItsRateLimitGets429() {
        as("slow-key").get("/api/v1/task-types").then().statusCode(200);
        as("slow-key").get("/api/v1/task-types").then().statusCode(200);
        as("slow-key").get("/api/v1/task-types").then().statusCode(429)
                .contentType(startsWith("application/problem+json"))
                .header("Retry-After", Integer::parseInt, org.hamcrest.Matchers.greaterThan(0))
                .body("type", equalTo("urn:taskpool:problem:rate-limited"))
                .body("detail", containsString("rate-limit"));
        // The limit is the key's: another key goes on.
        as("beta-key").get("/api/v1/task-types").then().statusCode(200);
    }

    /**
     * One worker; acme queues many higher-priority sleeps, then beta submits one task. Round-robin
     * between tenants: beta's task starts after at most one more of acme's, not after all of them.
     */
    @Test
    void workersGoRoundRobinBetweenTenants() {
        List<String> acmeTasks = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            String id = submit("acme-key", Map.of("type", "sleep", "input", Map.of("ms", 500), "priority", 5));
            acmeTasks.add(id);
            toCancel.add(id);
        }
        String betaTask = submit("beta-key", Map.of("type", "noop", "input", Map.of()));
        Response beta = awaitTerminal("beta-key", betaTask);
        assertThat(beta.<String>path("state")).isEqualTo("SUCCEEDED");
        Instant betaCreated = Instant.parse(beta.path("createdAt"));
        Instant betaStarted = Instant.parse(beta.path("startedAt"));
        List<Instant> acmeStarts = acmeTasks.stream()
                .map(id -> as("acme-key").get("/api/v1/tasks/{id}", id).<String>path("startedAt"))
                .map(started -> started == null ? Instant.MAX : Instant.parse(started))
                .toList();
        long acmeStartedInBetween = acmeStarts.stream()
                .filter(started -> started.isAfter(betaCreated) && started.isBefore(betaStarted))
                .count();
        assertThat(acmeStartedInBetween).isLessThanOrEqualTo(1);
        assertThat(acmeStarts).as("acme still had queued work when beta's task started")
                .anyMatch(started -> started.isAfter(betaStarted));
    }
}
