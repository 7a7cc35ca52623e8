package io.taskpool.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class SpecExamplesTest {

    private static final Path FIXTURE = Path.of("src", "test", "resources", "spec-conformance", "examples.yaml");

    @Test
    void findsEachExampleThatBreaksItsSchemaAndPassesTheOthers() {
        SpecExamples.Findings findings = SpecExamples.check(OpenApiSpec.load(FIXTURE));

        // name, size, weight; the parameter; the JSON body; two NDJSON lines.
        assertThat(findings.examplesChecked()).isEqualTo(7);
        assertThat(findings.problems()).hasSize(3);
        assertThat(findings.problems()).anySatisfy(problem -> assertThat(problem)
                .startsWith("#/paths/~1things~1{id}/get/parameters/0/example: "));
        assertThat(findings.problems()).anySatisfy(problem -> assertThat(problem)
                .startsWith("#/components/schemas/Thing/properties/size/example: "));
        assertThat(findings.problems()).anySatisfy(problem -> assertThat(problem)
                .startsWith("#/paths/~1things/get/responses/200/content/application~1x-ndjson/examples/lines/value"
                        + " line 2: $.size: "));
    }
}
