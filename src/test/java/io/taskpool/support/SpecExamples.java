package io.taskpool.support;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Checks every example in an OpenAPI 3.1 document against the schema it illustrates: a schema's
 * own {@code example}, a parameter's against the parameter's schema, and a media type's
 * {@code example} and {@code examples} against the media type's schema. Swagger UI and generated
 * clients show these to users as what the service sends, so a wrong one misleads as much as a
 * wrong schema.
 */
public final class SpecExamples {

    private static final String NDJSON = "application/x-ndjson";

    private final JsonNode document;
    private final SpecSchemas schemas;
    private final List<String> problems = new ArrayList<>();
    private int checked;

    private SpecExamples(OpenApiSpec spec) {
        this.document = spec.document();
        this.schemas = new SpecSchemas(document);
    }

    /** The outcome of checking one document: how many examples there were, and what is wrong with them. */
    public record Findings(int examplesChecked, List<String> problems) {}

    public static Findings check(OpenApiSpec spec) {
        SpecExamples examples = new SpecExamples(spec);
        examples.visit(examples.document, "", null);
        return new Findings(examples.checked, List.copyOf(examples.problems));
    }

    private void visit(JsonNode node, String pointer, String key) {
        if (node.isObject()) {
            if (isMediaType(pointer)) {
                mediaTypeExamples(node, pointer, key);
            } else if (node.has("in") && node.has("schema") && node.has("example")) {
                check(pointer + "/example", node.get("example"), pointer + "/schema");
            } else if (node.has("example") && isSchema(pointer)) {
                check(pointer + "/example", node.get("example"), pointer);
            }
            for (Map.Entry<String, JsonNode> child : node.properties()) {
                if (!child.getKey().equals("example") && !child.getKey().equals("examples")) {
                    visit(child.getValue(), pointer + "/" + escape(child.getKey()), child.getKey());
                }
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                visit(node.get(i), pointer + "/" + i, null);
            }
        }
    }

    /** A media type object: the child of a {@code content} map, named by its media type. */
    private static boolean isMediaType(String pointer) {
        int last = pointer.lastIndexOf('/');
        return last > 0 && pointer.substring(0, last).endsWith("/content");
    }

    /** Under a schema keyword, not inside an example or an extension. */
    private static boolean isSchema(String pointer) {
        return pointer.contains("/schema") || pointer.startsWith("/components/schemas/");
    }

    private void mediaTypeExamples(JsonNode mediaType, String pointer, String name) {
        String schema = pointer + "/schema";
        if (mediaType.has("example")) {
            checkBody(name, pointer + "/example", mediaType.get("example"), schema);
        }
        for (Map.Entry<String, JsonNode> example : mediaType.path("examples").properties()) {
            checkBody(name, pointer + "/examples/" + escape(example.getKey()) + "/value",
                    example.getValue().get("value"), schema);
        }
    }

    /** NDJSON examples are text, one instance per line; the others are one instance each. */
    private void checkBody(String mediaType, String where, JsonNode example, String schema) {
        if (example == null) {
            problems.add("#" + where + ": no value");
        } else if (NDJSON.equals(mediaType) && example.isString()) {
            String[] lines = example.asString().split("\n");
            for (int i = 0; i < lines.length; i++) {
                if (!lines[i].isBlank()) {
                    check(where + " line " + (i + 1), JsonMapper.shared().readTree(lines[i]), schema);
                }
            }
        } else {
            check(where, example, schema);
        }
    }

    private void check(String where, JsonNode example, String schemaPointer) {
        checked++;
        for (String problem : schemas.check(schemaPointer, example)) {
            problems.add("#" + where + ": " + problem);
        }
    }

    private static String escape(String key) {
        return key.replace("~", "~0").replace("/", "~1");
    }
}
