package io.taskpool.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.restassured.response.Response;
import io.taskpool.support.RawHttp;
import io.taskpool.support.RawHttp.Reply;
import io.taskpool.support.ServiceTest;
import io.taskpool.support.Tries;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Generated requests against every /api/v1 endpoint: odd methods, ids and query values (path
 * traversal, SQL, NUL, invalid UTF-8, huge numbers, very long strings), odd headers and bodies
 * (deep nesting, huge numbers, invalid UTF-8, truncated JSON, noise). Whatever comes in, the
 * answer is 2xx, or 4xx as problem+json without a trace of the code inside; never 5xx. Requests
 * known to be valid get 2xx, and the service serves normal requests afterwards. Requests go
 * over a plain socket, since no HTTP client sends invalid bytes in a path or a header.
 */
class HostileRequestsIT extends ServiceTest {

    /** POST /api/v1/workers/restart is left out: each would restart the whole pool. */
    private static final String[][] ENDPOINTS = {
        {"GET", "/api/v1/tasks"}, {"POST", "/api/v1/tasks"}, {"GET", "/api/v1/tasks/{id}"},
        {"DELETE", "/api/v1/tasks/{id}"}, {"POST", "/api/v1/tasks/{id}/cancel"}, {"GET", "/api/v1/tasks/{id}/events"},
        {"GET", "/api/v1/tasks/{id}/logs"}, {"GET", "/api/v1/tasks/{id}/result"}, {"POST", "/api/v1/batches"},
        {"GET", "/api/v1/batches/{id}"}, {"POST", "/api/v1/batches/{id}/cancel"},
        {"GET", "/api/v1/batches/{id}/results"}, {"GET", "/api/v1/events"}, {"GET", "/api/v1/task-types"},
        {"GET", "/api/v1/workers"},
    };
    private static final String[] PARAMETERS = {
        "waitMs", "state", "type", "batchId", "limit", "cursor", "order", "offset", "x", "id[]", "",
    };
    private static final String[] METHODS = {"GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "TRACE"};
    private static final String[] CONTENT_TYPES = {
        "application/json", "application/json; charset=ISO-8859-1", "application/x-ndjson", "text/plain",
        "application/xml", "a/b/c", "application/json; charset=nonsense", "multipart/form-data; boundary=x", "",
    };
    private static final String[] ACCEPTS = {
        "application/json", "*/*", "text/event-stream", "application/x-ndjson", "application/xml", "text/html",
        "nonsense", "application/json;q=abc", "",
    };
    private static final String[] TRACE_MARKS = {
        "\tat ", "at io.taskpool", "at org.springframework", "at java.", "Exception:", "Caused by", ".java:",
    };

    /** One generated request, and whether the API must accept it. */
    record Request(String method, String target, List<byte[]> headers, byte[] body, boolean valid) {
        @Override
        public String toString() {
            return method + " " + (target.length() > 300 ? target.substring(0, 300) + "..." : target) + " ("
                    + body.length + " bytes of body" + (valid ? ", valid" : "") + ")";
        }
    }

    static Stream<Long> seeds() {
        return Tries.seeds(100);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void everyReplyIsASuccessOrAProblemNeverAFailure(long seed) throws IOException {
        Request request = new Requests(new SplittableRandom(seed)).next();

        Reply reply = send(request);

        String what = request + " -> " + reply.status() + " " + reply.contentType() + " " + abbreviate(reply.body());
        assertThat(reply.status()).as(what).isBetween(200, 499);
        if (request.valid()) {
            assertThat(reply.status()).as(what).isBetween(200, 299);
        }
        if (reply.status() >= 400 && !reply.body().isEmpty()) {
            assertThat(reply.contentType()).as(what).startsWith("application/problem+json");
        }
        for (String mark : TRACE_MARKS) {
            assertThat(reply.body()).as(what).doesNotContain(mark);
        }
    }

    /** After all the above, a normal task still goes in and comes out. */
    @AfterAll
    static void theServiceStillServes(@org.springframework.boot.test.web.server.LocalServerPort int port) {
        Response accepted = io.restassured.RestAssured.given().port(port).contentType("application/json")
                .body(Map.of("type", "noop", "input", Map.of())).queryParam("waitMs", 10_000)
                .post("/api/v1/tasks").then().extract().response();
        assertThat(accepted.statusCode()).isIn(200, 201, 202);
        String id = accepted.path("id");
        String state = io.restassured.RestAssured.given().port(port).queryParam("waitMs", 10_000)
                .get("/api/v1/tasks/{id}", id).then().statusCode(200).extract().path("state");
        assertThat(state).isEqualTo("SUCCEEDED");
    }

    /**
     * The one place a request goes out: framing headers are added here (and credentials will be,
     * once the API asks for them).
     */
    private Reply send(Request request) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        head.writeBytes((request.method() + " " + request.target() + " HTTP/1.1\r\n").getBytes(StandardCharsets.ISO_8859_1));
        head.writeBytes(("Host: localhost:" + port + "\r\nConnection: close\r\nContent-Length: " + request.body().length)
                .getBytes(StandardCharsets.ISO_8859_1));
        for (byte[] header : request.headers()) {
            head.writeBytes("\r\n".getBytes(StandardCharsets.ISO_8859_1));
            head.writeBytes(header);
        }
        return RawHttp.exchange(port, head.toByteArray(), request.body());
    }

    /**
     * Requests Tomcat refuses before any of the service's code sees them get a problem as well,
     * not Tomcat's HTML page.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("requestsTomcatRefuses")
    void requestsRefusedBeforeTheApiAreProblemsToo(String what, byte[] requestLine) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        head.writeBytes(requestLine);
        head.writeBytes(("\r\nHost: localhost:" + port + "\r\nConnection: close\r\nContent-Length: 0")
                .getBytes(StandardCharsets.ISO_8859_1));

        Reply reply = RawHttp.exchange(port, head.toByteArray(), new byte[0]);

        assertThat(reply.status()).as(what).isEqualTo(400);
        assertThat(reply.contentType()).as(what).startsWith("application/problem+json");
        assertThat(reply.body()).as(what).contains("\"type\":\"urn:taskpool:problem:invalid-request\"")
                .contains("\"status\":400").doesNotContain("<html");
    }

    static Stream<org.junit.jupiter.params.provider.Arguments> requestsTomcatRefuses() {
        return Stream.of(
                org.junit.jupiter.params.provider.Arguments.of("NUL in the path",
                        "GET /api/v1/tasks/%00 HTTP/1.1".getBytes(StandardCharsets.ISO_8859_1)),
                org.junit.jupiter.params.provider.Arguments.of("invalid UTF-8 in the path",
                        "GET /api/v1/tasks/%C3%28 HTTP/1.1".getBytes(StandardCharsets.ISO_8859_1)),
                org.junit.jupiter.params.provider.Arguments.of("a raw control byte in the target",
                        "GET /api/v1/\u0001tasks HTTP/1.1".getBytes(StandardCharsets.ISO_8859_1)));
    }

    private static String abbreviate(String body) {
        return body.length() > 500 ? body.substring(0, 500) + "..." : body;
    }

    /** Draws requests from one seed. */
    static final class Requests {
        private final SplittableRandom random;

        Requests(SplittableRandom random) {
            this.random = random;
        }

        private <T> T any(T[] values) {
            return values[random.nextInt(values.length)];
        }

        Request next() {
            return switch (random.nextInt(6)) {
                case 0 -> validSubmit();
                case 1 -> validRead();
                default -> hostile();
            };
        }

        /** A task of a real type with hostile but allowed labels: accepted, and labels kept as sent. */
        private Request validSubmit() {
            StringBuilder labels = new StringBuilder("{");
            for (int i = random.nextInt(5); i > 0; i--) {
                labels.append(jsonString(hostileText(100, false))).append(':')
                        .append(jsonString(hostileText(500, true))).append(i > 1 ? "," : "");
            }
            labels.append('}');
            String body = "{\"type\":\"noop\",\"input\":{\"note\":" + jsonString(hostileText(1000, true))
                    + "},\"labels\":" + labels + ",\"priority\":" + (random.nextInt(2001) - 1000) + "}";
            return new Request("POST", "/api/v1/tasks", List.of(ascii("Content-Type: application/json"),
                    ascii("Accept: application/json")), body.getBytes(StandardCharsets.UTF_8), true);
        }

        private Request validRead() {
            String target = switch (random.nextInt(4)) {
                case 0 -> "/api/v1/task-types";
                case 1 -> "/api/v1/workers";
                case 2 -> "/api/v1/tasks?limit=" + (1 + random.nextInt(100));
                default -> "/api/v1/tasks?type=" + percentEncode(hostileText(100, false).getBytes(StandardCharsets.UTF_8));
            };
            return new Request("GET", target, List.of(ascii("Accept: application/json")), new byte[0], true);
        }

        private Request hostile() {
            String[] endpoint = any(ENDPOINTS);
            String method = random.nextInt(5) == 0 ? any(METHODS) : endpoint[0];
            String path = endpoint[1].replace("{id}", id());
            StringBuilder target = new StringBuilder(path);
            for (int i = random.nextInt(4); i > 0; i--) {
                target.append(i == 1 && target.indexOf("?") < 0 ? '?' : target.indexOf("?") < 0 ? '?' : '&')
                        .append(any(PARAMETERS)).append('=').append(encodedValue());
            }
            List<byte[]> headers = new ArrayList<>();
            String contentType = any(CONTENT_TYPES);
            if (!contentType.isEmpty()) {
                headers.add(ascii("Content-Type: " + contentType));
            }
            String accept = any(ACCEPTS);
            if (!accept.isEmpty()) {
                headers.add(ascii("Accept: " + accept));
            }
            if (random.nextInt(3) == 0) {
                headers.add(concat(ascii("Idempotency-Key: "), headerValue()));
            }
            if (random.nextInt(4) == 0) {
                headers.add(concat(ascii("X-" + random.nextInt(1000) + ": "), headerValue()));
            }
            byte[] body = method.equals("GET") || method.equals("HEAD") ? new byte[0] : body();
            return new Request(method, target.toString(), headers, body, false);
        }

        private String id() {
            return switch (random.nextInt(10)) {
                case 0 -> UUID.randomUUID().toString();
                case 1 -> "..%2F..%2F..%2Fetc%2Fpasswd";
                case 2 -> "../../../etc/passwd";
                case 3 -> percentEncode("1' OR '1'='1'; DROP TABLE task; --".getBytes(StandardCharsets.UTF_8));
                case 4 -> "%00";
                case 5 -> "%C3%28%FF%FE";
                case 6 -> "x".repeat(1 + random.nextInt(20_000));
                case 7 -> "99999999999999999999999999999";
                case 8 -> percentEncode(hostileText(200, true).getBytes(StandardCharsets.UTF_8));
                default -> "%2e%2e;jsessionid=1";
            };
        }

        /** A query value, already percent-encoded (or not quite). */
        private String encodedValue() {
            return switch (random.nextInt(9)) {
                case 0 -> "99999999999999999999999999";
                case 1 -> "-" + random.nextLong();
                case 2 -> any(new String[] {"NaN", "1e309", "0x10", "-0", "", "+5", "1.5"});
                case 3 -> percentEncode("' UNION SELECT * FROM task --".getBytes(StandardCharsets.UTF_8));
                case 4 -> "%00%00";
                case 5 -> "%FF%C0%80";
                case 6 -> "%";
                case 7 -> "y".repeat(random.nextInt(10_000));
                default -> percentEncode(hostileText(100, true).getBytes(StandardCharsets.UTF_8));
            };
        }

        private byte[] headerValue() {
            return switch (random.nextInt(5)) {
                case 0 -> ascii("k".repeat(1 + random.nextInt(5_000)));
                case 1 -> new byte[] {'a', (byte) 0xC3, (byte) 0x28, (byte) 0xFF};
                case 2 -> ascii("' OR 1=1 --");
                case 3 -> new byte[] {'a', 0, 'b'};
                default -> hostileText(50, false).getBytes(StandardCharsets.UTF_8);
            };
        }

        private byte[] body() {
            return switch (random.nextInt(10)) {
                case 0 -> deepJson(1 + random.nextInt(20_000));
                case 1 -> ascii("{\"type\":\"noop\",\"timeoutMs\":" + "9".repeat(1 + random.nextInt(400))
                        + ",\"priority\":1e999999}");
                case 2 -> concat(ascii("{\"type\":\"noop\",\"input\":{\"s\":\""),
                        new byte[] {(byte) 0xC3, 0x28, (byte) 0xFF, 0, (byte) 0xED, (byte) 0xA0, (byte) 0x80},
                        ascii("\"}}"));
                case 3 -> ascii("{\"type\":\"noop\\u0000\",\"labels\":{\"a\\u0000\":\"\\u0000\"},\"input\":{\"\\u0000\":1}}");
                case 4 -> ascii("{\"type\":" + jsonString("../../etc/passwd' OR 1=1; --") + ",\"input\":[1,2]}");
                case 5 -> ascii("{\"type\":\"noop\",\"input\":{\"s\":\"" + "z".repeat(random.nextInt(100_000)) + "\"}}");
                case 6 -> ascii("{\"type\":\"noop\",\"input\":{" + "\"a\":".repeat(random.nextInt(5)));
                case 7 -> ascii("{\"tasks\":[" + "{\"type\":\"noop\"},".repeat(random.nextInt(50)) + "{\"type\":7}]}");
                case 8 -> ascii("{\"type\":\"noop\",\"input\":" + "1".repeat(1 + random.nextInt(5_000)) + "}");
                default -> {
                    byte[] noise = new byte[random.nextInt(2_000)];
                    random.nextBytes(noise);
                    yield noise;
                }
            };
        }

        private byte[] deepJson(int depth) {
            boolean arrays = random.nextBoolean();
            String open = arrays ? "[" : "{\"a\":";
            String close = arrays ? "]" : "}";
            return ascii("{\"type\":\"noop\",\"input\":{\"deep\":" + open.repeat(depth) + "1" + close.repeat(depth) + "}}");
        }

        /** Text of SQL, traversal, control characters and non-ASCII; blank-free when {@code blankAllowed} is false. */
        private String hostileText(int maxChars, boolean blankAllowed) {
            String[] pieces = {"' OR 1=1 --", "\"; DROP TABLE task;", "../", "..\\", "%00", "\u0000", "\t", "\n",
                "\u00e9", "\u65e5\u672c", "\ud83d\ude00", "<script>", "${jndi:x}", "\\u0000", "a", "Z", "{}"};
            StringBuilder text = new StringBuilder();
            int length = random.nextInt(maxChars + 1);
            while (text.length() < length) {
                String piece = any(pieces);
                if (text.length() + piece.length() > maxChars) {
                    break;
                }
                text.append(piece);
            }
            if (!blankAllowed && text.toString().isBlank()) {
                return "k" + text.substring(0, Math.min(text.length(), maxChars - 1));
            }
            return text.toString();
        }
    }

    static String jsonString(String text) {
        StringBuilder json = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            if (c == '"' || c == '\\') {
                json.append('\\').append(c);
            } else if (c < 0x20) {
                json.append(String.format("\\u%04x", (int) c));
            } else {
                json.append(c);
            }
        }
        return json.append('"').toString();
    }

    static String percentEncode(byte[] bytes) {
        StringBuilder encoded = new StringBuilder();
        for (byte b : bytes) {
            int c = b & 0xFF;
            if (Character.isLetterOrDigit(c) && c < 0x80 || c == '-' || c == '_' || c == '.' || c == '~') {
                encoded.append((char) c);
            } else {
                encoded.append(String.format("%%%02X", c));
            }
        }
        return encoded.toString();
    }

    static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }
}
