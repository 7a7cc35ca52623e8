package io.taskpool.support;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.hamcrest.Matchers.equalTo;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The filter against a small contract ({@code spec-conformance/things.yaml}) and a real HTTP
 * server that answers whatever a test tells it to, called through REST-assured as the service's
 * tests call it.
 */
class SpecConformanceFilterTest {

    private static final String THING = """
            {"id": "t-1", "attributes": {"colour": "red"}, "owner": {"name": "ada"},
             "parts": [{"index": 0, "label": "wheel"}, {"index": 1, "label": null}],
             "createdAt": "not a date: formats are annotations"}""";
    private static final String PROBLEM = """
            {"type": "urn:things:problem:not-found", "title": "Not Found", "status": 404}""";

    private final SpecConformanceFilter filter = new SpecConformanceFilter(resource("/spec-conformance/things.yaml"));
    private HttpServer server;
    /** What the server answers next. */
    private volatile Answer answer;

    private record Answer(int status, String contentType, String body) {}

    @BeforeEach
    void startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::respond);
        server.start();
    }

    @AfterEach
    void stopServer() {
        server.stop(0);
    }

    @Test
    void aConformingResponseIsHandedOnUnchanged() {
        answer(200, "application/json", THING);

        request().get("/things/t-1").then().statusCode(200).body("owner.name", equalTo("ada"));
    }

    @Test
    void aNullableReferenceMayBeNull() {
        answer(200, "application/json", """
                {"id": "t-1", "attributes": {}, "owner": null}""");

        assertConforms(() -> request().get("/things/t-1"));
    }

    @Test
    void aPropertyOfTheWrongTypeFailsNamingTheExchangeAndTheLocation() {
        answer(200, "application/json", """
                {"id": "t-1", "attributes": "red"}""");

        assertThatThrownBy(() -> request().queryParam("verbose", true).get("/things/t-1"))
                .isInstanceOf(AssertionError.class)
                .hasMessageStartingWith("GET /things/t-1?verbose=true (GET /things/{id} in ")
                .hasMessageContaining("answered 200 application/json")
                .hasMessageContaining("response body: $.attributes: string found, object expected"
                        + " (schema #/components/schemas/Thing/properties/attributes/type)");
    }

    @Test
    void referencesAreFollowedIntoNestedSchemas() {
        answer(200, "application/json", """
                {"id": "t-1", "attributes": {}, "owner": {"name": 7}, "parts": [{"index": 0}, {"index": "one"}]}""");

        assertThatThrownBy(() -> request().get("/things/t-1"))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("$.owner.name: integer found, string expected"
                        + " (schema #/components/schemas/Owner/properties/name/type)")
                .hasMessageContaining("$.parts[1].index: string found, integer expected");
    }

    @Test
    void anUndocumentedStatusFails() {
        answer(409, "application/problem+json", PROBLEM);

        assertThatThrownBy(() -> request().contentType(ContentType.JSON).body(Map.of("name", "x")).post("/things"))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("status 409 is not documented for POST /things (documented: 201, 400)");
    }

    @Test
    void theDefaultResponseCoversStatusesNotDocumentedOneByOne() {
        answer(503, "application/problem+json", PROBLEM);

        assertConforms(() -> request().get("/things/t-1"));
    }

    @Test
    void anUndocumentedMediaTypeFails() {
        answer(200, "text/html", "<p>a thing</p>");

        assertThatThrownBy(() -> request().get("/things/t-1"))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("media type text/html is not documented for status 200"
                        + " (documented: application/json)");
    }

    @Test
    void mediaTypeParametersDoNotMatter() {
        answer(200, "application/json; charset=utf-8", THING);
        assertConforms(() -> request().get("/things/t-1"));

        answer(200, "text/plain; charset=ISO-8859-1", "started\nfinished\n");
        assertConforms(() -> request().get("/things/t-1/log"));
    }

    @Test
    void aProblemIsCheckedAgainstItsSchemaBehindAReferencedResponse() {
        answer(404, "application/problem+json", """
                {"type": "urn:things:problem:not-found", "status": "404"}""");

        assertThatThrownBy(() -> request().get("/things/t-9"))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("answered 404 application/problem+json")
                .hasMessageContaining("$.status: string found, integer expected");
    }

    @Test
    void aJsonResponseThatIsNotJsonFails() {
        answer(200, "application/json", "{\"id\": ");

        assertThatThrownBy(() -> request().get("/things/t-1"))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("response body is not JSON");
    }

    @Test
    void everyLineOfAnNdjsonBodyIsChecked() {
        answer(200, "application/x-ndjson", "{\"index\": 0}\n{\"index\": 1, \"label\": \"axle\"}\n");
        assertConforms(() -> request().get("/things/t-1/parts"));

        answer(200, "application/x-ndjson", "{\"index\": 0}\n{\"label\": \"axle\"}\n{\"index\": 2}\n");
        assertThatThrownBy(() -> request().get("/things/t-1/parts"))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("response line 2: $: required property 'index' not found");
    }

    @Test
    void anEventStreamHasOnlyItsMediaTypeChecked() {
        answer(200, "text/event-stream", "event: part\ndata: not JSON at all\n\n");

        assertConforms(() -> request().get("/things/t-1/events"));
    }

    @Test
    void anAcceptedRequestMustMatchTheRequestSchema() {
        answer(201, "application/json", THING);

        assertThatThrownBy(() -> request().contentType(ContentType.JSON).body(Map.of("name", 5)).post("/things"))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("answered 201")
                .hasMessageContaining("request body: $.name: integer found, string expected");
    }

    @Test
    void aRejectedRequestIsNotChecked() {
        answer(400, "application/problem+json", PROBLEM);

        assertConforms(() -> request().contentType(ContentType.JSON).body(Map.of("name", 5)).post("/things"));
    }

    @Test
    void aMethodThatIsNotAnOperationOfThePathFails() {
        answer(200, "application/json", THING);

        assertThatThrownBy(() -> request().put("/things/t-1"))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("PUT is not an operation of /things/{id} (documented: DELETE, GET)");
    }

    @Test
    void aMethodThatIsNotAnOperationMayBeRefused() {
        answer(405, "application/problem+json", PROBLEM);

        assertConforms(() -> request().put("/things/t-1"));
    }

    @Test
    void aResponseWithoutBodyNeedsNoMediaType() {
        answer(204, null, null);

        assertConforms(() -> request().delete("/things/t-1"));
    }

    @Test
    void aConcretePathWinsOverATemplatedOne() {
        answer(200, "application/json", "42");

        assertConforms(() -> request().get("/things/count"));
    }

    @Test
    void pathsOutsideTheContractAreNotJudged() {
        answer(500, "text/html", "<h1>whatever</h1>");

        assertConforms(() -> request().get("/actuator/health"));
        assertConforms(() -> request().get("/things/t-1/parts/0"));
    }

    @Test
    void theServiceContractIsInstalledForEveryCall() {
        assertThat(RestAssured.filters()).contains(SpecConformanceFilter.forServiceContract());
    }

    /** A request through the filter under test alone: the service contract's filter, installed for every test, is removed. */
    private RequestSpecification request() {
        return given().baseUri("http://" + InetAddress.getLoopbackAddress().getHostAddress())
                .port(server.getAddress().getPort())
                .noFiltersOfType(SpecConformanceFilter.class)
                .filter(filter);
    }

    private void answer(int status, String contentType, String body) {
        answer = new Answer(status, contentType, body);
    }

    private static void assertConforms(ThrowingCallable call) {
        assertThatCode(call).doesNotThrowAnyException();
    }

    private void respond(HttpExchange exchange) throws IOException {
        try (exchange) {
            exchange.getRequestBody().readAllBytes();
            Answer next = answer;
            if (next.contentType() != null) {
                exchange.getResponseHeaders().set("Content-Type", next.contentType());
            }
            byte[] body = next.body() == null ? new byte[0] : next.body().getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(next.status(), body.length == 0 ? -1 : body.length);
            exchange.getResponseBody().write(body);
        }
    }

    private static Path resource(String name) {
        try {
            return Path.of(SpecConformanceFilterTest.class.getResource(name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
