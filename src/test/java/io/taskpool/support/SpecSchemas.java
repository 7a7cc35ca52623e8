package io.taskpool.support;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaException;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.dialect.Dialect;
import com.networknt.schema.dialect.Dialects;
import com.networknt.schema.keyword.AnnotationKeyword;
import com.networknt.schema.path.PathType;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The schemas of one OpenAPI 3.1 document, each compiled once by a JSON Schema 2020-12 validator
 * and kept. A schema is compiled from its place in the document, named by a JSON pointer, so its
 * {@code $ref}s to {@code #/components/schemas/...}, and theirs in turn, resolve within the same
 * document.
 *
 * <p>Schema objects are read in the OpenAPI 3.1 base dialect: JSON Schema 2020-12 in which the
 * OpenAPI keywords ({@code discriminator}, {@code xml}, {@code externalDocs}, {@code example}) and
 * any other unknown keyword are annotations, and so is {@code format}: a body is checked for its
 * types, required properties, enums and bounds, not for the shape of its dates. The document is
 * the only resource the validator may load; nothing is fetched.
 */
final class SpecSchemas {

    /** The name the validator files the document under; the host does not exist and is never contacted. */
    private static final String DOCUMENT_IRI = "https://openapi.invalid/document.json";
    private static final List<String> OPENAPI_KEYWORDS = List.of("discriminator", "xml", "externalDocs", "example");

    private final SchemaRegistry registry;
    /** By JSON pointer: compiled on first use, then shared by every check, from any thread. */
    private final Map<String, Schema> compiled = new ConcurrentHashMap<>();

    SpecSchemas(JsonNode document) {
        Dialect dialect = Dialect.builder(Dialects.getOpenApi31())
                .keywords(OPENAPI_KEYWORDS.stream().map(AnnotationKeyword::new).toList())
                // Extensions (x-...) and the document's own fields, met when the validator loads the
                // whole document to follow a reference: annotations too, without a warning for each.
                .unknownKeywordFactory((keyword, context) -> new AnnotationKeyword(keyword))
                .build();
        SchemaRegistryConfig config = SchemaRegistryConfig.builder()
                .pathType(PathType.JSON_PATH) // "$.input", "$.items[2].error"
                .locale(Locale.ROOT) // the same messages whatever the machine's locale
                .build();
        String text = JsonMapper.shared().writeValueAsString(document);
        this.registry = SchemaRegistry.withDefaultDialect(dialect, registry -> registry
                .schemaRegistryConfig(config)
                .schemas(Map.of(DOCUMENT_IRI, text))
                .schemaLoader(loader -> loader.fetchRemoteResources(false)
                        .block(iri -> !iri.toString().equals(DOCUMENT_IRI))));
    }

    /**
     * Checks {@code instance} against the schema at {@code pointer}.
     *
     * @return one line per violation, {@code "$.path: what is wrong (schema #/where/in/the/document)"};
     *     empty if it matches
     */
    List<String> check(String pointer, JsonNode instance) {
        try {
            return schema(pointer).validate(instance).stream().map(SpecSchemas::describe).toList();
        } catch (SchemaException e) {
            // A reference that leads nowhere shows only now, when an instance reaches it.
            return List.of("the schema at #" + pointer + " cannot be used: " + e.getMessage());
        }
    }

    private Schema schema(String pointer) {
        return compiled.computeIfAbsent(pointer, key ->
                registry.getSchema(SchemaLocation.of(DOCUMENT_IRI + "#" + encodeFragment(key))));
    }

    private static String describe(Error error) {
        String location = error.getSchemaLocation().toString();
        String inDocument = location.startsWith(DOCUMENT_IRI) ? location.substring(DOCUMENT_IRI.length()) : location;
        return error.getInstanceLocation() + ": " + error.getMessage() + " (schema "
                + URLDecoder.decode(inDocument.replace("+", "%2B"), StandardCharsets.UTF_8) + ")";
    }

    /**
     * A JSON pointer as a URI fragment: the characters a fragment may not hold literally, such as
     * the braces of a path template, percent-encoded.
     */
    private static String encodeFragment(String pointer) {
        StringBuilder fragment = new StringBuilder();
        for (byte b : pointer.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || "-._~!$&'()*+,;=:@/".indexOf(c) >= 0) {
                fragment.append(c);
            } else {
                fragment.append('%').append(String.format("%02X", b & 0xff));
            }
        }
        return fragment.toString();
    }
}
