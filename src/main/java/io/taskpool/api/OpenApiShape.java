package io.taskpool.api;

import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.JsonSchema;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.responses.ApiResponses;
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
    private static final String PROBLEM_JSON = "application/problem+json";
    private static final String PROBLEM_SCHEMA = "#/components/schemas/Problem";
    private static final String RATE_LIMIT_CAUSE = "the caller's key is past its request rate"
            + " (taskpool.security.rate-limit)";

    @Override
    public void customise(OpenAPI openApi) {
        openApi.getComponents().getSchemas().values().forEach(OpenApiShape::nullableReferences);
        for (CommonProblem problem : CommonProblem.values()) {
            openApi.getComponents().addResponses(problem.name, new ApiResponse().description(problem.description)
                    .content(new Content().addMediaType(PROBLEM_JSON,
                            new MediaType().schema(new JsonSchema().$ref(PROBLEM_SCHEMA)))));
        }
        openApi.getPaths().values().forEach(path -> path.readOperations().forEach(OpenApiShape::commonProblems));
    }

    /**
     * The answers any operation may give before its handler runs: the security filters' (when API
     * keys or a JWT issuer are configured), the rate limit's, content negotiation's, and the
     * check of its query parameters.
     */
    private enum CommonProblem {
        BAD_PARAMETER("400", "BadParameter", "A query parameter is malformed or out of range"),
        UNAUTHORIZED("401", "Unauthorized", "No valid API key or token, when keys or a JWT issuer are configured"),
        FORBIDDEN("403", "Forbidden", "The caller's key lacks the role this operation needs"),
        NOT_ACCEPTABLE("406", "NotAcceptable", "The Accept header names no media type this operation sends"),
        RATE_LIMITED("429", "RateLimited", "Too many requests: " + RATE_LIMIT_CAUSE
                + "; retry after the Retry-After header");

        final String status;
        final String name;
        final String description;

        CommonProblem(String status, String name, String description) {
            this.status = status;
            this.name = name;
            this.description = description;
        }
    }

    private static void commonProblems(Operation operation) {
        ApiResponses responses = operation.getResponses();
        boolean queryParameters = operation.getParameters() != null
                && operation.getParameters().stream().anyMatch(parameter -> "query".equals(parameter.getIn()));
        for (CommonProblem problem : CommonProblem.values()) {
            ApiResponse documented = responses.get(problem.status);
            if (documented == null && (problem != CommonProblem.BAD_PARAMETER || queryParameters)) {
                responses.addApiResponse(problem.status,
                        new ApiResponse().$ref("#/components/responses/" + problem.name));
            } else if (documented != null && problem == CommonProblem.RATE_LIMITED
                    && !documented.getDescription().contains(RATE_LIMIT_CAUSE)) {
                // The handler's own 429 (a full queue, too many streams): both causes share the status.
                documented.setDescription(documented.getDescription() + ", or " + RATE_LIMIT_CAUSE);
            }
        }
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
