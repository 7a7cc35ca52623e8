package io.taskpool.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.taskpool.support.OpenApiSpec;
import io.taskpool.support.SpecExamples;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Every example in the committed spec matches the schema it illustrates. */
class OpenApiExamplesTest {

    @Test
    void everyExampleMatchesItsSchema() {
        SpecExamples.Findings findings = SpecExamples.check(OpenApiSpec.load(Path.of("openapi", "taskpool.yaml")));

        assertThat(findings.problems()).isEmpty();
        // Schemas, parameters and bodies all carry examples; far fewer checked means the walk missed some.
        assertThat(findings.examplesChecked()).isGreaterThan(100);
    }
}
