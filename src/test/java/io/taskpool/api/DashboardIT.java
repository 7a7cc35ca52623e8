package io.taskpool.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.restassured.http.ContentType;
import io.taskpool.support.Browser;
import io.taskpool.support.ServiceTest;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

/**
 * The dashboard in a real browser (headless Chromium) against the whole service: submit from a
 * generated form and see the result, cancel a running task from its page, watch a worker's tile
 * turn busy and back, filter the task list, follow a batch. Each test saves a screenshot.
 */
class DashboardIT extends ServiceTest {

    private static Browser browser;

    @BeforeEach
    void openBrowser() {
        Browser.assumeInstalled();
        if (browser == null) {
            browser = Browser.open(port);
        }
    }

    @AfterAll
    static void closeBrowser() {
        if (browser != null) {
            browser.close();
            browser = null;
        }
    }

    @Test
    void theRootOpensTheOverviewWithQueueFiguresAndAWorkerTileEach() {
        browser.go("/");
        browser.awaitElement("#queue-running");
        browser.await(d -> d.findElements(By.cssSelector("[data-worker-id][data-state='IDLE']")).size() == WORKERS);
        assertThat(browser.driver().getCurrentUrl()).contains("/dashboard/");
        assertThat(browser.find("#pool").getText()).contains("memory", "tasks done");
        browser.await(d -> d.findElement(By.cssSelector("#pool .spare")).getText().startsWith("Warm spare: pid ")
                && d.findElement(By.cssSelector("#pool .spare")).getText().contains("ready"));
        browser.screenshot("overview");
    }

    @Test
    void aTaskSubmittedFromItsTypesFormShowsItsResultWhenItFinishes() {
        browser.go("/dashboard/index.html#/submit");
        new Select(browser.awaitElement("#submit-type")).selectByValue("primes.count");
        WebElement below = browser.awaitElement("#field-below");
        assertThat(below.getAttribute("type")).as("an integer field from the inputSchema").isEqualTo("number");
        below.sendKeys("1000");
        browser.find("#submit-labels").sendKeys("from:dashboard");
        browser.screenshot("submit");
        browser.find("#submit-button").click();

        browser.await(d -> d.findElement(By.cssSelector("#submit-result")).getText().contains("168"));
        assertThat(browser.find("#submit-state").getText()).isEqualTo("SUCCEEDED");
        browser.screenshot("submit-result");
    }

    @Test
    void aRunningTaskIsCancelledFromItsPage() {
        String id = submit(Map.of("type", "sleep", "input", Map.of("ms", 60_000), "labels", Map.of("why", "cancel")));
        try {
            awaitState(id, "RUNNING");
            browser.go("/dashboard/index.html#/tasks/" + id);
            browser.awaitText("#task-state", "RUNNING");
            browser.screenshot("task-running");

            browser.await(d -> d.findElement(By.id("cancel-task")).isEnabled());
            browser.find("#cancel-task").click();

            browser.awaitText("#task-state", "CANCELLED");
            assertThat(browser.find("#cancel-task").isEnabled()).isFalse();
            assertThat(task(id).<String>path("state")).isEqualTo("CANCELLED");
            browser.screenshot("task-cancelled");
        } finally {
            api().post("/api/v1/tasks/{id}/cancel", id); // a no-op (409) once cancelled; frees the worker otherwise
        }
    }

    @Test
    void aWorkersTileTurnsBusyWhileItRunsATaskAndIdleAfter() {
        browser.go("/dashboard/index.html#/");
        browser.await(d -> d.findElements(By.cssSelector("[data-worker-id][data-state='IDLE']")).size() == WORKERS);

        String id = submit("sleep", Map.of("ms", 2_500));
        String busyTile = "[data-worker-id][data-state='BUSY']";
        browser.await(d -> d.findElements(By.cssSelector(busyTile)).stream()
                .anyMatch(tile -> !tile.findElements(By.cssSelector("a[href='#/tasks/" + id + "']")).isEmpty()));
        browser.screenshot("overview-busy");

        browser.await(d -> d.findElements(By.cssSelector("[data-worker-id][data-state='IDLE']")).size() == WORKERS);
        assertThat(task(id).<String>path("state")).isEqualTo("SUCCEEDED");
    }

    @Test
    void theTaskListFiltersByLabelAndState() {
        String run = "run" + System.nanoTime();
        String first = submit(Map.of("type", "noop", "labels", Map.of("run", run)));
        String second = submit(Map.of("type", "noop", "labels", Map.of("run", run)));
        submit(Map.of("type", "noop", "labels", Map.of("run", run + "x")));
        awaitTerminal(first);
        awaitTerminal(second);

        browser.go("/dashboard/index.html#/tasks");
        browser.awaitElement("#task-table");
        browser.find("#filter-label").sendKeys("run:" + run);
        new Select(browser.find("#filter-state")).selectByValue("SUCCEEDED");
        browser.find("#filter-apply").click();

        browser.await(d -> rowIds().equals(Set.of(first, second)));
        assertThat(browser.driver().getCurrentUrl()).contains("label=run%3A" + run);
        browser.screenshot("tasks-filtered");

        new Select(browser.find("#filter-state")).selectByValue("FAILED");
        browser.find("#filter-apply").click();
        browser.awaitElement("#no-tasks");
    }

    @Test
    void aBatchShowsItsProgressAndResultsInInputOrder() {
        String batch = api().contentType(ContentType.JSON)
                .body(Map.of("type", "primes.count", "inputs", List.of(Map.of("below", 10), Map.of("below", 100),
                        Map.of("below", 1000))))
                .post("/api/v1/batches").then().statusCode(202).extract().path("id");

        browser.go("/dashboard/index.html#/batches/" + batch);

        browser.awaitText("#batch-state", "SUCCEEDED");
        browser.await(d -> d.findElements(By.cssSelector("#batch-results tbody tr")).size() == 3);
        List<String> results = browser.driver().findElements(By.cssSelector("#batch-results tbody tr td:last-child"))
                .stream().map(WebElement::getText).toList();
        assertThat(results).containsExactly("{\"count\":4}", "{\"count\":25}", "{\"count\":168}");
        browser.screenshot("batch");
    }

    private static Set<String> rowIds() {
        return browser.driver().findElements(By.cssSelector("tr[data-task-id]")).stream()
                .map(row -> row.getAttribute("data-task-id")).collect(Collectors.toSet());
    }
}
