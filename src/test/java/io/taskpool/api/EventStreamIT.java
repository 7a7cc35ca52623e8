package io.taskpool.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.restassured.path.json.JsonPath;
import io.taskpool.support.ServiceTest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The server-sent event streams over real HTTP, read line by line as a browser would. */
class EventStreamIT extends ServiceTest {

    private final HttpClient http = HttpClient.newHttpClient();

    /** One server-sent event: its name and its JSON data. */
    record Event(String name, JsonPath data) {
        String state() {
            return data.getString("state");
        }

        String taskId() {
            return data.getString("taskId");
        }
    }

    private HttpResponse<Stream<String>> connect(String path) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .header("Accept", "text/event-stream").GET().build();
        return http.send(request, BodyHandlers.ofLines());
    }

    /** Reads events until {@code last} accepts one, or, with {@code last} null, until the stream ends. */
    private static List<Event> read(Stream<String> lines, Predicate<Event> last) {
        List<Event> events = new ArrayList<>();
        Iterator<String> iterator = lines.iterator();
        String name = null;
        StringBuilder data = new StringBuilder();
        while (iterator.hasNext()) {
            String line = iterator.next();
            if (line.startsWith("event:")) {
                name = line.substring(6).strip();
            } else if (line.startsWith("data:")) {
                data.append(line.substring(5).strip());
            } else if (line.isEmpty() && name != null) {
                Event event = new Event(name, JsonPath.from(data.toString()));
                events.add(event);
                name = null;
                data.setLength(0);
                if (last != null && last.test(event)) {
                    return events;
                }
            }
        }
        return events;
    }

    private static List<Event> readToTheEnd(HttpResponse<Stream<String>> response) {
        return assertTimeoutPreemptively(DEADLINE, () -> read(response.body(), null));
    }

    @Test
    void aTasksStreamShowsItsStatesAndProgressAndEndsWithItsTerminalState() throws Exception {
        String id = submit("sleep", Map.of("ms", 1500));
        HttpResponse<Stream<String>> response = connect("/api/v1/tasks/" + id + "/events");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("text/event-stream"));

        List<Event> events = readToTheEnd(response);

        assertThat(events).isNotEmpty().allSatisfy(event -> assertThat(event.taskId()).isEqualTo(id));
        assertThat(events.get(0).name()).isEqualTo("state");
        assertThat(events.get(0).state()).isIn("QUEUED", "RUNNING");
        assertThat(events).filteredOn(e -> e.name().equals("state")).extracting(Event::state).contains("RUNNING");
        assertThat(events).filteredOn(e -> e.name().equals("progress")).isNotEmpty()
                .allSatisfy(e -> assertThat(e.data().getFloat("progress.fraction")).isBetween(0f, 1f));
        Event last = events.get(events.size() - 1);
        assertThat(last.name()).isEqualTo("state");
        assertThat(last.state()).isEqualTo("SUCCEEDED");
        assertThat(last.data().getString("type")).isEqualTo("sleep");
    }

    @Test
    void aClientConnectingAfterTheEndGetsTheFinalStateAtOnce() throws Exception {
        String id = submit("test.fail", Map.of());
        awaitTerminal(id);

        List<Event> events = readToTheEnd(connect("/api/v1/tasks/" + id + "/events"));

        assertThat(events).hasSize(1);
        assertThat(events.get(0).name()).isEqualTo("state");
        assertThat(events.get(0).state()).isEqualTo("FAILED");
        assertThat(events.get(0).data().getString("errorCode")).isEqualTo("TASK_FAILED");
    }

    @Test
    void theGlobalStreamSeesTheEventsOfEveryTask() throws Exception {
        HttpResponse<Stream<String>> response = connect("/api/v1/events");
        assertThat(response.statusCode()).isEqualTo(200);
        String first = submit("noop", Map.of());
        String second = submit("noop", Map.of());
        Set<String> succeeded = new HashSet<>();

        try (Stream<String> lines = response.body()) {
            List<Event> events = assertTimeoutPreemptively(DEADLINE, () -> read(lines, event -> {
                if ("SUCCEEDED".equals(event.state())) {
                    succeeded.add(event.taskId());
                }
                return succeeded.containsAll(List.of(first, second));
            }));

            // QUEUED usually comes first too, but a dispatcher already awake may claim a task before
            // its submission is published; the claim's RUNNING always precedes the outcome.
            assertThat(events).filteredOn(e -> e.taskId().equals(first)).extracting(Event::state)
                    .containsSubsequence("RUNNING", "SUCCEEDED");
            assertThat(events).filteredOn(e -> e.taskId().equals(second)).extracting(Event::state)
                    .containsSubsequence("RUNNING", "SUCCEEDED");
        }
    }

    @Test
    void anUnknownTaskHasNoStream() throws Exception {
        HttpResponse<Stream<String>> response = connect("/api/v1/tasks/0b7f6d3e-2c4a-4f7e-9a51-1f2d3c4b5a69/events");

        assertThat(response.statusCode()).isEqualTo(404);
        response.body().close();
    }
}
