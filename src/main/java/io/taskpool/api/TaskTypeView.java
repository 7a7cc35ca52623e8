package io.taskpool.api;

import io.swagger.v3.oas.annotations.media.Schema;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** A task type the workers offer. */
@Schema(name = "TaskType", description = "A task type the workers offer")
record TaskTypeView(
        @Schema(description = "The name to submit", example = "primes.count") String type,
        @Schema(description = "What it does", example = "Counts the primes below a bound") String description,
        @Schema(implementation = Map.class, nullable = true, description = "The JSON Schema its input must match,"
                + " checked at submission; null when any input object is accepted",
                example = "{\"type\": \"object\", \"required\": [\"below\"], \"properties\": {\"below\":"
                        + " {\"type\": \"integer\", \"minimum\": 0, \"maximum\": 2000000000}}}")
        JsonNode inputSchema) {

    /**
     * The view of a type whose schema is JSON text. A text that is not JSON (a plug-in's mistake,
     * reported in the log when the service compiles it) is shown as null, since it checks nothing.
     */
    static TaskTypeView of(String type, String description, String inputSchema, JsonMapper json) {
        JsonNode schema = null;
        if (inputSchema != null) {
            try {
                schema = json.readTree(inputSchema);
            } catch (JacksonException notJson) {
                schema = null;
            }
        }
        return new TaskTypeView(type, description, schema);
    }
}
