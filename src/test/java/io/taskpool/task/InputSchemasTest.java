package io.taskpool.task;

import static org.assertj.core.api.Assertions.assertThat;

import io.taskpool.spi.TaskContext;
import io.taskpool.spi.TaskHandler;
import io.taskpool.spi.TaskInput;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

class InputSchemasTest {

    private static final TaskType PRIMES = new TaskType("primes.count", "", """
            {"type": "object", "required": ["below"],
             "properties": {"below": {"type": "integer", "minimum": 0, "maximum": 2000000000},
                            "items": {"type": "array", "items": {"type": "string"}}}}""");

    private final InputSchemas schemas = new InputSchemas();

    @Test
    void aMatchingInputPasses() {
        assertThat(schemas.check(PRIMES, "{\"below\": 100, \"other\": true}")).isNull();
    }

    @Test
    void aTypeWithoutASchemaAcceptsAnything() {
        assertThat(schemas.check(new TaskType("noop", "", null), "{\"below\": \"ten\"}")).isNull();
    }

    @Test
    void aWrongTypeNamesThePathAndTheRule() {
        InputSchemas.Violation violation = schemas.check(PRIMES, "{\"below\": \"ten\"}");

        assertThat(violation.path()).isEqualTo("$.below");
        assertThat(violation.message()).isEqualTo("$.below: string found, integer expected");
    }

    @Test
    void aMissingFieldIsNamedAtTheRoot() {
        InputSchemas.Violation violation = schemas.check(PRIMES, "{}");

        assertThat(violation.path()).isEqualTo("$");
        assertThat(violation.message()).isEqualTo("$: required property 'below' not found");
    }

    @Test
    void nestedValuesAreNamedByTheirFullPath() {
        InputSchemas.Violation violation = schemas.check(PRIMES, "{\"below\": 5, \"items\": [\"a\", 7]}");

        assertThat(violation.path()).isEqualTo("$.items[1]");
    }

    @Test
    void atMostThreeProblemsAreSpelledOut() {
        TaskType strict = new TaskType("strict", "", """
                {"type": "object", "properties": {"a": {"type": "string"}, "b": {"type": "string"},
                 "c": {"type": "string"}, "d": {"type": "string"}, "e": {"type": "string"}}}""");

        InputSchemas.Violation violation = schemas.check(strict, "{\"a\": 1, \"b\": 2, \"c\": 3, \"d\": 4, \"e\": 5}");

        assertThat(violation.message()).contains("$.a:", "$.b:", "$.c:").endsWith("; and 2 more");
    }

    @Test
    void aNewSchemaForTheSameTypeReplacesTheOld() {
        assertThat(schemas.check(PRIMES, "{\"below\": -1}")).isNotNull();

        TaskType relaxed = new TaskType("primes.count", "", "{\"type\": \"object\"}");

        assertThat(schemas.check(relaxed, "{\"below\": -1}")).isNull();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            not JSON                  | {"type": "object"
            not an object             | [1, 2]
            an unknown type name      | {"type": "whole number"}
            a bound that is not a number | {"maximum": "ten"}
            a regular expression that does not compile | {"properties": {"a": {"pattern": "["}}}
            a reference to the network | {"$ref": "https://example.org/schema.json"}
            """)
    void aSchemaThatDoesNotCompileChecksNothing(String what, String schema) throws Exception {
        TaskType broken = new TaskType("broken", "", schema);

        schemas.prepare(List.of(broken)).get(30, TimeUnit.SECONDS);

        assertThat(schemas.check(broken, "{\"a\": 1}")).as(what).isNull();
    }

    @Test
    void anotherDialectNamedBySchemaIsHonoured() {
        TaskType draft7 = new TaskType("old", "", """
                {"$schema": "http://json-schema.org/draft-07/schema#", "type": "object", "required": ["x"]}""");

        assertThat(schemas.check(draft7, "{}").message()).isEqualTo("$: required property 'x' not found");
    }

    /**
     * The built-in schemas promise what the handlers accept: each input here is accepted by both
     * or refused by both. Inputs that pass are small, so that running them is quick.
     */
    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', textBlock = """
            primes.count  | {"below": 100}
            primes.count  | {"below": 100.0}
            primes.count  | {"below": 100, "extra": [1]}
            primes.count  | {}
            primes.count  | {"below": null}
            primes.count  | {"below": "100"}
            primes.count  | {"below": 10.5}
            primes.count  | {"below": -1}
            primes.count  | {"below": 2000000001}
            sleep         | {"ms": 0}
            sleep         | {"ms": 3600001}
            sleep         | {"ms": true}
            pi.montecarlo | {}
            pi.montecarlo | {"samples": null, "seed": null}
            pi.montecarlo | {"samples": 1000, "seed": -9223372036854775808}
            pi.montecarlo | {"samples": 1000, "seed": 9223372036854775808}
            pi.montecarlo | {"samples": 0}
            pi.montecarlo | {"samples": 10000000001}
            hash.sha256   | {"text": ""}
            hash.sha256   | {"text": "a", "rounds": null}
            hash.sha256   | {"text": null}
            hash.sha256   | {"text": 5}
            hash.sha256   | {"text": "a", "rounds": 0}
            hash.sha256   | {"text": "a", "rounds": 10000001}
            noop          | {"anything": [1, {"at": "all"}]}
            """)
    void builtinSchemasAgreeWithTheirHandlers(String type, String input) throws Exception {
        TaskHandler handler = builtins().get(type);
        TaskType taskType = new TaskType(type, handler.description(), handler.inputSchema());

        boolean schemaAccepts = schemas.check(taskType, input) == null;
        boolean handlerAccepts = handlerAccepts(handler, input);

        assertThat(schemaAccepts).as("schema accepts %s (handler: %s)", input, handlerAccepts).isEqualTo(handlerAccepts);
    }

    private static Map<String, TaskHandler> builtins() {
        return ServiceLoader.load(TaskHandler.class).stream().map(ServiceLoader.Provider::get)
                .filter(handler -> handler.getClass().getPackageName().endsWith(".builtin"))
                .collect(Collectors.toMap(TaskHandler::type, handler -> handler));
    }

    @SuppressWarnings("unchecked")
    private static boolean handlerAccepts(TaskHandler handler, String input) throws Exception {
        Map<String, Object> fields = JsonMapper.shared().readValue(input, Map.class);
        try {
            handler.run(new TaskInput(fields), new TaskContext() {
                @Override
                public String taskId() {
                    return "test";
                }

                @Override
                public boolean isCancelled() {
                    return false;
                }

                @Override
                public void progress(double fraction, String message) {
                }
            });
            return true;
        } catch (IllegalArgumentException refused) {
            return false;
        }
    }
}
