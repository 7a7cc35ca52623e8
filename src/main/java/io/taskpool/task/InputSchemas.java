package io.taskpool.task;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaException;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import com.networknt.schema.path.PathType;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The compiled input schemas of the task types: each type's schema is compiled once, when the
 * workers announce it, and every submitted input of that type is checked against it.
 *
 * <p>A schema that does not compile (not JSON, not a valid JSON Schema, or referring to a
 * document it may not load) is reported once in the log, and the inputs of its type are accepted
 * unchecked, as before schemas existed: the handler still checks what it reads. Schemas may refer
 * only to themselves and to the JSON Schema meta-schemas the library bundles; nothing is fetched
 * over the network.
 */
public final class InputSchemas {

    private static final Logger log = LoggerFactory.getLogger(InputSchemas.class);
    /** Problems named in one refusal; a client fixes the first few, then learns of the rest. */
    private static final int MAX_REPORTED = 3;
    private static final SpecificationVersion DEFAULT_DIALECT = SpecificationVersion.DRAFT_2020_12;
    /** Where the bundled meta-schemas live; any other document a schema names is refused. */
    private static final List<String> META_SCHEMA_PREFIXES = List.of("https://json-schema.org/draft/",
            "http://json-schema.org/draft-");

    private final SchemaRegistry registry;
    private final JsonMapper json = JsonMapper.shared();
    /** The compiled schema of each type that has one, with the text it was compiled from. */
    private final Map<String, Compiled> byType = new ConcurrentHashMap<>();
    private final Map<String, Schema> metaSchemas = new ConcurrentHashMap<>();

    public InputSchemas() {
        SchemaRegistryConfig config = SchemaRegistryConfig.builder()
                .pathType(PathType.JSON_PATH) // "$.below", "$.items[2]", "$['a b']"
                .locale(Locale.ROOT) // the same messages whatever the server's locale
                .build();
        this.registry = SchemaRegistry.withDefaultDialect(DEFAULT_DIALECT, registry -> registry
                .schemaRegistryConfig(config)
                .schemaLoader(loader -> loader.fetchRemoteResources(false)
                        .block(iri -> META_SCHEMA_PREFIXES.stream().noneMatch(iri.toString()::startsWith))));
    }

    /**
     * Compiles the schemas of {@code types} in the background (the first compilation loads the
     * library and the meta-schema, about a second) and forgets types no longer offered. Inputs
     * submitted meanwhile compile their type's schema on the spot; no schema is compiled twice.
     */
    public CompletableFuture<Void> prepare(List<TaskType> types) {
        Set<String> offered = types.stream().map(TaskType::type).collect(Collectors.toSet());
        byType.keySet().retainAll(offered);
        return CompletableFuture.runAsync(() -> types.forEach(this::compiled));
    }

    /**
     * Checks an input (a JSON object's text) against its type's schema.
     *
     * @return what is wrong with it, or {@code null} if it matches, the type declares no schema,
     *     or its schema does not compile
     */
    public Violation check(TaskType type, String inputJson) {
        Compiled compiled = compiled(type);
        if (compiled == null || compiled.schema == null) {
            return null;
        }
        List<Error> errors;
        try {
            errors = compiled.schema.validate(json.readTree(inputJson));
        } catch (SchemaException e) {
            // A part of the schema that compiles only when an input reaches it (a $ref) is broken.
            byType.put(type.type(), broken(type, compiled.text, e.getMessage()));
            return null;
        }
        if (errors.isEmpty()) {
            return null;
        }
        String message = errors.stream().limit(MAX_REPORTED).map(Error::toString).collect(Collectors.joining("; "))
                + (errors.size() > MAX_REPORTED ? "; and " + (errors.size() - MAX_REPORTED) + " more" : "");
        return new Violation(errors.get(0).getInstanceLocation().toString(), message);
    }

    /**
     * What is wrong with an input.
     *
     * @param path the JSON path of the first failing value, {@code $} for the input as a whole
     * @param message every problem (up to three) as {@code "<path>: <rule>"}, joined by "; "
     */
    public record Violation(String path, String message) {}

    private Compiled compiled(TaskType type) {
        if (type.inputSchema() == null) {
            byType.remove(type.type());
            return null;
        }
        return byType.compute(type.type(), (name, known) ->
                known != null && known.text.equals(type.inputSchema()) ? known : compile(type));
    }

    private Compiled compile(TaskType type) {
        String text = type.inputSchema();
        JsonNode node;
        try {
            node = json.readTree(text);
        } catch (JacksonException e) {
            return broken(type, text, "it is not JSON: " + e.getOriginalMessage());
        }
        if (node == null || !(node.isObject() || node.isBoolean())) {
            return broken(type, text, "it is not a JSON object");
        }
        try {
            List<Error> problems = metaSchema(node).validate(node);
            if (!problems.isEmpty()) {
                return broken(type, text, "it is not a valid JSON Schema: " + problems.stream().limit(MAX_REPORTED)
                        .map(Error::toString).collect(Collectors.joining("; ")));
            }
            Schema schema = registry.getSchema(node);
            return new Compiled(text, schema);
        } catch (SchemaException | IllegalArgumentException e) {
            return broken(type, text, e.getMessage());
        }
    }

    /** The meta-schema of the dialect the schema names in {@code $schema}, or of draft 2020-12. */
    private Schema metaSchema(JsonNode schema) {
        String named = schema.path("$schema").asString("");
        String dialect = Arrays.stream(SpecificationVersion.values()).map(SpecificationVersion::getDialectId)
                .filter(id -> id.equals(named) || (id + "#").equals(named) || id.equals(named + "#"))
                .findFirst().orElse(DEFAULT_DIALECT.getDialectId());
        return metaSchemas.computeIfAbsent(dialect, id -> registry.getSchema(SchemaLocation.of(id)));
    }

    private static Compiled broken(TaskType type, String text, String reason) {
        log.warn("The input schema of task type '{}' does not compile ({}); inputs of this type are accepted"
                + " without a schema check until a worker announces a schema that compiles", type.type(), reason);
        return new Compiled(text, null);
    }

    /** A type's schema text and what it compiled to ({@code null}: it did not compile). */
    private record Compiled(String text, Schema schema) {}
}
