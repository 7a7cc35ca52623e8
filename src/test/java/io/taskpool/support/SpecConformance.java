package io.taskpool.support;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Judges one HTTP exchange against an OpenAPI document: whether the document has the operation,
 * documents the status and the media type of the answer, and whether the bodies match their
 * schemas. It says what does not conform; failing a test is the caller's business.
 *
 * <p>The rules, in order. A path the document does not have is not judged at all (actuator,
 * dashboard and the API docs live outside the contract). A method that is not an operation of
 * the path is a violation unless it was refused with 405, and so is a status the operation
 * documents neither exactly, by range nor by default. A body's media type must be one the status
 * documents; a JSON body ({@code +json} included) must match the content's schema, and so must
 * every non-empty line of an NDJSON body; the bodies of other media types, event streams among
 * them, are not read. A request body is checked only when the service accepted it (2xx), because
 * tests send invalid ones on purpose.
 */
final class SpecConformance {

    /** Problems listed per exchange: a page of a thousand tasks with one wrong field would otherwise list a thousand. */
    private static final int MAX_REPORTED = 20;

    /** How the service refuses a method the path does not offer: OpenAPI has no place to document it, so it conforms. */
    private static final int METHOD_NOT_ALLOWED = 405;

    private final OpenApiSpec spec;
    private final SpecSchemas schemas;

    SpecConformance(OpenApiSpec spec) {
        this.spec = spec;
        this.schemas = new SpecSchemas(spec.document());
    }

    /**
     * One request and its response, as far as the contract is concerned.
     *
     * @param path the request path, without query
     * @param requestContentType {@code null} when the request had none
     * @param requestBody the request body as text; {@code null} when it had none, or one that is not text
     * @param responseContentType {@code null} when the response had none
     * @param responseLength the Content-Length of the response, -1 when it had none
     * @param responseBody reads the response body; asked only for bodies that are checked, so a stream
     *     that never ends is never read
     */
    record Exchange(String method, String path, String requestContentType, String requestBody, int status,
            String responseContentType, long responseLength, Supplier<byte[]> responseBody) {}

    /**
     * What the document says of an exchange.
     *
     * @param template the path template the request path matched; {@code null} when none did, and
     *     the exchange was not judged
     * @param problems what does not conform; empty when all does
     */
    record Verdict(String template, List<String> problems) {

        static final Verdict OUTSIDE = new Verdict(null, List.of());

        boolean conforms() {
            return problems.isEmpty();
        }
    }

    Verdict judge(Exchange exchange) {
        Optional<OpenApiSpec.PathItem> pathItem = spec.pathItem(exchange.path());
        if (pathItem.isEmpty()) {
            return Verdict.OUTSIDE;
        }
        String template = pathItem.get().template();
        Optional<OpenApiSpec.Operation> found = pathItem.get().operation(exchange.method());
        if (found.isEmpty()) {
            if (exchange.status() == METHOD_NOT_ALLOWED) {
                return new Verdict(template, List.of()); // refusing what the contract does not offer is conforming
            }
            return new Verdict(template, List.of(exchange.method() + " is not an operation of " + template
                    + " (documented: " + String.join(", ", new TreeSet<>(pathItem.get().operations().keySet())) + ")"));
        }
        OpenApiSpec.Operation operation = found.get();
        List<String> problems = new ArrayList<>();
        Optional<OpenApiSpec.Response> response = operation.response(exchange.status());
        if (response.isEmpty()) {
            problems.add("status " + exchange.status() + " is not documented for " + operation + " (documented: "
                    + String.join(", ", new TreeSet<>(operation.responses().keySet())) + ")");
        } else {
            checkResponseBody(exchange, response.get(), problems);
        }
        if (exchange.status() / 100 == 2) {
            checkRequestBody(exchange, operation, problems);
        }
        return new Verdict(template, limited(problems));
    }

    private void checkResponseBody(Exchange exchange, OpenApiSpec.Response response, List<String> problems) {
        if (exchange.responseContentType() == null || exchange.responseContentType().isBlank()) {
            if (exchange.responseLength() > 0) {
                problems.add("a response body of " + exchange.responseLength() + " bytes without a Content-Type");
            }
            return;
        }
        MediaRange mediaType;
        try {
            mediaType = MediaRange.parse(exchange.responseContentType());
        } catch (IllegalArgumentException e) {
            problems.add("the response's Content-Type '" + exchange.responseContentType() + "' is not a media type");
            return;
        }
        boolean parsed = mediaType.isJson() || mediaType.isJsonLines();
        String body = parsed ? new String(exchange.responseBody().get(), StandardCharsets.UTF_8) : null;
        boolean hasBody = parsed ? !body.isBlank() : exchange.responseLength() != 0;
        if (!hasBody) {
            return; // a Content-Type on an empty body, as some 401s have: there is nothing to document
        }
        Optional<OpenApiSpec.Content> content = response.content(mediaType);
        if (content.isEmpty()) {
            problems.add(response.content().isEmpty()
                    ? "status " + exchange.status() + " is documented without a body, but the response has a "
                            + mediaType + " body"
                    : "media type " + mediaType + " is not documented for status " + exchange.status()
                            + " (documented: " + response.content().stream().map(OpenApiSpec.Content::mediaType)
                                    .collect(Collectors.joining(", ")) + ")");
            return;
        }
        String schema = content.get().schemaPointer();
        if (schema == null || !parsed) {
            return;
        }
        if (mediaType.isJson()) {
            checkJson("response body", body, schema, problems);
        } else {
            String[] lines = body.split("\n", -1);
            for (int i = 0; i < lines.length; i++) {
                String line = lines[i].strip();
                if (!line.isEmpty()) {
                    checkJson("response line " + (i + 1), line, schema, problems);
                }
            }
        }
    }

    private void checkRequestBody(Exchange exchange, OpenApiSpec.Operation operation, List<String> problems) {
        if (exchange.requestBody() == null || exchange.requestBody().isBlank() || exchange.requestContentType() == null
                || operation.requestBody().isEmpty()) {
            return;
        }
        MediaRange mediaType;
        try {
            mediaType = MediaRange.parse(exchange.requestContentType());
        } catch (IllegalArgumentException e) {
            return; // the service accepted it all the same; a test of odd headers, not of the contract
        }
        if (!mediaType.isJson()) {
            return;
        }
        Optional<OpenApiSpec.Content> content = operation.requestContent(mediaType);
        if (content.isEmpty()) {
            problems.add("the service accepted a " + mediaType + " request body, a media type not documented for "
                    + operation + " (documented: " + operation.requestBody().stream()
                            .map(OpenApiSpec.Content::mediaType).collect(Collectors.joining(", ")) + ")");
        } else if (content.get().schemaPointer() != null) {
            checkJson("request body", exchange.requestBody(), content.get().schemaPointer(), problems);
        }
    }

    private void checkJson(String what, String text, String schemaPointer, List<String> problems) {
        JsonNode instance;
        try {
            instance = JsonMapper.shared().readTree(text);
        } catch (JacksonException e) {
            problems.add(what + " is not JSON: " + e.getOriginalMessage());
            return;
        }
        schemas.check(schemaPointer, instance).forEach(problem -> problems.add(what + ": " + problem));
    }

    private static List<String> limited(List<String> problems) {
        if (problems.size() <= MAX_REPORTED) {
            return List.copyOf(problems);
        }
        List<String> first = new ArrayList<>(problems.subList(0, MAX_REPORTED));
        first.add("and " + (problems.size() - MAX_REPORTED) + " more");
        return List.copyOf(first);
    }
}
