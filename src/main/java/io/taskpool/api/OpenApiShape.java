package io.taskpool.api;

import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.media.JsonSchema;
import io.swagger.v3.oas.models.media.Schema;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springdoc.core.customizers.OpenApiCustomizer;

/**
 * The parts of the OpenAPI description that the annotations cannot say as OpenAPI 3.1 means them,
 * so that a client generated from the spec reads what the service really sends.
 */
final class OpenApiShape implements OpenApiCustomizer {

    private static final String NULL = "null";

    @Override
    public void customise(OpenAPI openApi) {
        openApi.getComponents().getSchemas().values().forEach(OpenApiShape::nullableReferences);
    }

    /**
     * A property that may be null and otherwise refers to another schema comes out of swagger-core
     * as {@code type: "null"} beside its {@code $ref}; in JSON Schema 2020-12 both apply at once,
     * which no value but null satisfies, so it is rewritten as a choice between the two.
     */
    private static void nullableReferences(Schema<?> schema) {
        Map<String, Schema> properties = schema.getProperties();
        if (properties == null) {
            return;
        }
        properties.replaceAll((name, property) -> {
            Set<String> types = property.getTypes();
            if (property.get$ref() == null || types == null || !types.contains(NULL)) {
                return property;
            }
            Schema<?> reference = new JsonSchema().$ref(property.get$ref());
            Schema<?> none = new JsonSchema().types(Set.of(NULL));
            return new JsonSchema().oneOf(List.of(reference, none)).description(property.getDescription());
        });
    }
}
