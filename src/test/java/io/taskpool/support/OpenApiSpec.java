package io.taskpool.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * An OpenAPI 3.1 document read from YAML and queried the way the service routes a request: the
 * path template a request path matches, the operation its method names, the response its status
 * selects and the content its media type selects. Every schema found is given as its JSON pointer
 * in the document, which is how {@link SpecSchemas} compiles it with its references intact.
 *
 * <p>The document is read once, into the immutable records below. Request paths are matched
 * against the paths as written (the service's server URL is {@code /}), without the query; a
 * concrete path wins over a templated one that matches too, as OpenAPI specifies. References to
 * path items, responses and request bodies are followed within the document.
 */
public final class OpenApiSpec {

    private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "options", "head", "patch",
            "trace");
    private static final Pattern VARIABLE = Pattern.compile("\\{[^/{}]+}");
    /** More than this many references in a row is a cycle in the document. */
    private static final int MAX_REFERENCE_HOPS = 16;

    private final Path source;
    private final JsonNode document;
    /** In the order request paths are tried: concrete paths first, then by fewer variables. */
    private final List<PathItem> paths;

    private OpenApiSpec(Path source, JsonNode document) {
        this.source = source;
        this.document = document;
        List<PathItem> items = new ArrayList<>();
        document.path("paths").properties().forEach(path ->
                items.add(pathItem(path.getKey(), "/paths/" + escape(path.getKey()), path.getValue())));
        items.sort(Comparator.comparingInt(PathItem::variables)
                .thenComparing(Comparator.comparingInt((PathItem item) -> item.template().length()).reversed()));
        this.paths = List.copyOf(items);
    }

    /** Reads an OpenAPI 3.1 document; fails if it cannot be read or is not one. */
    public static OpenApiSpec load(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the OpenAPI document " + file.toAbsolutePath(), e);
        }
        JsonNode document = YAMLMapper.shared().readTree(text);
        if (!document.path("openapi").asString("").startsWith("3.1.")) {
            throw new IllegalArgumentException(file + " is not an OpenAPI 3.1 document");
        }
        return new OpenApiSpec(file, document);
    }

    /** The document as JSON, for the validator. */
    JsonNode document() {
        return document;
    }

    /** The path item whose template matches {@code requestPath} (a path without query), if the contract has one. */
    public Optional<PathItem> pathItem(String requestPath) {
        return paths.stream().filter(item -> item.pattern().matcher(requestPath).matches()).findFirst();
    }

    /**
     * One path of the contract.
     *
     * @param template the path as the document writes it, {@code /api/v1/tasks/{id}}
     * @param pattern the request paths it matches: each variable stands for one non-empty segment
     * @param variables how many variables the template has; 0 for a concrete path
     * @param operations by upper-case method
     */
    public record PathItem(String template, Pattern pattern, int variables, Map<String, Operation> operations) {

        /** The operation {@code method} names on this path, if the contract documents one. */
        public Optional<Operation> operation(String method) {
            return Optional.ofNullable(operations.get(method.toUpperCase(Locale.ROOT)));
        }
    }

    /**
     * One operation: a method on a path.
     *
     * @param responses by status key as written ({@code 200}, {@code 4XX}, {@code default})
     * @param requestBody the documented media types of the request body; empty when it has none
     */
    public record Operation(String method, String template, Map<String, Response> responses,
            List<Content> requestBody) {

        /** The response documented for {@code status}: its own, else its range's ({@code 4XX}), else the default. */
        public Optional<Response> response(int status) {
            Response exact = responses.get(Integer.toString(status));
            if (exact != null) {
                return Optional.of(exact);
            }
            Response range = responses.get(status / 100 + "XX");
            return Optional.ofNullable(range != null ? range : responses.get("default"));
        }

        /** The documented request content that {@code mediaType} selects. */
        public Optional<Content> requestContent(MediaRange mediaType) {
            return select(requestBody, mediaType);
        }

        @Override
        public String toString() {
            return method + " " + template;
        }
    }

    /**
     * One documented response.
     *
     * @param status the key it is documented under: a status, a range such as {@code 4XX}, or {@code default}
     * @param content its media types; empty for a response without a body
     */
    public record Response(String status, List<Content> content) {

        /** The documented content that {@code mediaType} selects: the most specific key that covers it. */
        public Optional<Content> content(MediaRange mediaType) {
            return select(content, mediaType);
        }
    }

    /**
     * One media type of a body and its schema.
     *
     * @param mediaType the key as the document writes it
     * @param range the key without parameters
     * @param schemaPointer where its schema is in the document, as a JSON pointer; {@code null} when it has none
     */
    public record Content(String mediaType, MediaRange range, String schemaPointer) {}

    private PathItem pathItem(String template, String pointer, JsonNode node) {
        Located item = resolve(node, pointer);
        Map<String, Operation> operations = new LinkedHashMap<>();
        item.node().properties().stream().filter(field -> METHODS.contains(field.getKey())).forEach(field -> {
            String method = field.getKey().toUpperCase(Locale.ROOT);
            operations.put(method, operation(method, template, item.pointer() + "/" + field.getKey(), field.getValue()));
        });
        Matcher variable = VARIABLE.matcher(template);
        StringBuilder regex = new StringBuilder();
        int literalStart = 0;
        int variables = 0;
        while (variable.find()) {
            regex.append(Pattern.quote(template.substring(literalStart, variable.start()))).append("[^/]+");
            literalStart = variable.end();
            variables++;
        }
        regex.append(Pattern.quote(template.substring(literalStart)));
        return new PathItem(template, Pattern.compile(regex.toString()), variables, Map.copyOf(operations));
    }

    private Operation operation(String method, String template, String pointer, JsonNode node) {
        Map<String, Response> responses = new LinkedHashMap<>();
        node.path("responses").properties().forEach(field -> {
            String key = field.getKey().toUpperCase(Locale.ROOT); // 4xx and 4XX are the same range
            String status = key.equals("DEFAULT") ? "default" : key;
            Located response = resolve(field.getValue(), pointer + "/responses/" + escape(field.getKey()));
            responses.put(status, new Response(status, contents(response)));
        });
        List<Content> requestBody = node.has("requestBody")
                ? contents(resolve(node.get("requestBody"), pointer + "/requestBody")) : List.of();
        return new Operation(method, template, Map.copyOf(responses), requestBody);
    }

    /** The entries of a response's or request body's {@code content} map. */
    private static List<Content> contents(Located owner) {
        List<Content> contents = new ArrayList<>();
        owner.node().path("content").properties().forEach(field -> {
            String pointer = owner.pointer() + "/content/" + escape(field.getKey());
            String schemaPointer = field.getValue().has("schema") ? pointer + "/schema" : null;
            contents.add(new Content(field.getKey(), MediaRange.parse(field.getKey()), schemaPointer));
        });
        return List.copyOf(contents);
    }

    private static Optional<Content> select(List<Content> contents, MediaRange mediaType) {
        return contents.stream().filter(content -> content.range().includes(mediaType))
                .max(Comparator.comparingInt(content -> content.range().specificity()));
    }

    /** A node of the document and its JSON pointer. */
    private record Located(JsonNode node, String pointer) {}

    /** Follows {@code $ref}s within the document until the node they lead to. */
    private Located resolve(JsonNode node, String pointer) {
        Located located = new Located(node, pointer);
        for (int hops = 0; located.node().has("$ref"); hops++) {
            String reference = located.node().get("$ref").asString();
            if (!reference.startsWith("#") || hops == MAX_REFERENCE_HOPS) {
                throw new IllegalArgumentException("cannot follow " + reference + " at " + located.pointer() + " in "
                        + source + ": only references within the document, without cycles, are followed");
            }
            String target = URLDecoder.decode(reference.substring(1).replace("+", "%2B"), StandardCharsets.UTF_8);
            JsonNode found = document.at(target);
            if (found.isMissingNode()) {
                throw new IllegalArgumentException(reference + " at " + located.pointer() + " in " + source
                        + " leads nowhere");
            }
            located = new Located(found, target);
        }
        return located;
    }

    /** A key as one token of a JSON pointer. */
    private static String escape(String key) {
        return key.replace("~", "~0").replace("/", "~1");
    }
}
