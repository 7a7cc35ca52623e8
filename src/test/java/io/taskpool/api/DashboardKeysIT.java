package io.taskpool.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import io.taskpool.support.Browser;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The dashboard of a service with API keys: it asks for a key, keeps it in the tab's session
 * storage only, shows a tenant its own tasks and queue, and the worker tiles to an admin alone.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
        "spring.datasource.url=jdbc:h2:mem:taskpool-dashboard-keys-test;DB_CLOSE_DELAY=-1",
        "management.server.port=0",
        "taskpool.node-id=dashboard-keys-test",
        "taskpool.workers.count=1",
        "taskpool.workers.max-heap=64MB",
        "taskpool.tasks.cancel-grace=500ms",
        "taskpool.security.api-keys[0].tenant=acme",
        "taskpool.security.api-keys[0].key-sha256=" + SecurityIT.ACME_HASH,
        "taskpool.security.api-keys[0].roles=submit,read",
        "taskpool.security.api-keys[1].tenant=beta",
        "taskpool.security.api-keys[1].key-sha256=" + SecurityIT.BETA_HASH,
        "taskpool.security.api-keys[1].roles=submit,read",
        "taskpool.security.api-keys[2].tenant=ops",
        "taskpool.security.api-keys[2].key-sha256=" + SecurityIT.ADMIN_HASH,
        "taskpool.security.api-keys[2].roles=admin"})
class DashboardKeysIT {

    private static final Duration DEADLINE = Duration.ofSeconds(30);

    @LocalServerPort
    int port;

    private Browser browser;

    @AfterEach
    void closeBrowser() {
        if (browser != null) {
            browser.close();
        }
    }

    private RequestSpecification as(String key) {
        return given().port(port).accept(ContentType.JSON).header("Authorization", "Bearer " + key);
    }

    @Test
    void theDashboardAsksForAKeyAndShowsTheTenantItsOwnTasksAndAnAdminTheWorkers() {
        String acmeTask = as("acme-key").contentType(ContentType.JSON).body(Map.of("type", "noop"))
                .post("/api/v1/tasks").then().statusCode(202).extract().path("id");
        String betaTask = as("beta-key").contentType(ContentType.JSON).body(Map.of("type", "noop"))
                .post("/api/v1/tasks").then().statusCode(202).extract().path("id");
        browser = Browser.open(port);

        browser.go("/");
        browser.awaitElement("#key-input");
        browser.screenshot("api-key");
        browser.find("#key-input").sendKeys("acme-key");
        browser.find("#key-save").click();

        browser.awaitElement("#queue-queued");
        browser.await(d -> d.findElement(By.id("pool")).getText().contains("needs a key with another role"));
        assertThat(browser.script("return sessionStorage.getItem('taskpool.apiKey')")).isEqualTo("acme-key");
        assertThat(browser.script("return localStorage.length")).isEqualTo(0L);

        browser.go("/dashboard/index.html#/tasks");
        browser.awaitElement("tr[data-task-id='" + acmeTask + "']");
        assertThat(browser.driver().findElements(By.cssSelector("tr[data-task-id='" + betaTask + "']")))
                .as("another tenant's task").isEmpty();

        browser.find("#key-button").click();
        browser.awaitElement("#key-input").sendKeys("ops-admin");
        browser.find("#key-save").click();
        browser.go("/dashboard/index.html#/");
        browser.awaitElement("[data-worker-id]");
        browser.screenshot("overview-admin");
    }

    @Test
    void theQueueShowsATenantItsOwnFiguresAndAnAdminEveryones() {
        String sleeper = as("beta-key").contentType(ContentType.JSON)
                .body(Map.of("type", "sleep", "input", Map.of("ms", 60_000)))
                .post("/api/v1/tasks").then().statusCode(202).extract().path("id");
        try {
            await().atMost(DEADLINE).until(() -> "RUNNING".equals(as("beta-key")
                    .get("/api/v1/tasks/{id}", sleeper).then().extract().path("state")));
            as("beta-key").get("/api/v1/queue").then().statusCode(200).body("running", equalTo(1));
            as("acme-key").get("/api/v1/queue").then().statusCode(200).body("running", equalTo(0));
            as("ops-admin").get("/api/v1/queue").then().statusCode(200).body("running", equalTo(1));
            given().port(port).get("/api/v1/queue").then().statusCode(401);
        } finally {
            as("beta-key").post("/api/v1/tasks/{id}/cancel", sleeper).then().statusCode(200);
        }
    }
}
