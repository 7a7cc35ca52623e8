package io.taskpool.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.springframework.http.ProblemDetail;

/** The one list of problem types: distinct, well-formed, and each one documented for clients. */
class ProblemTypeTest {

    @Test
    void everyTypeIsDistinctAndDocumentedInTheReadme() throws IOException {
        String readme = Files.readString(Path.of("README.md"));
        assertThat(Arrays.stream(ProblemType.values()).map(type -> type.with("x").getType()).distinct())
                .hasSize(ProblemType.values().length);
        for (ProblemType type : ProblemType.values()) {
            String name = type.with("x").getType().toString().substring(ProblemType.TYPE_PREFIX.length());
            assertThat(readme).as("README.md names problem type " + name).contains("`" + name + "`");
        }
    }

    @Test
    void aProblemCarriesItsTypesStatusAndTitleOrTheContainersStatus() {
        ProblemDetail tooLarge = ProblemType.BODY_TOO_LARGE.with("the body is larger than 1 MiB");
        assertThat(tooLarge.getStatus()).isEqualTo(413);
        assertThat(tooLarge.getTitle()).isEqualTo("Request body too large");
        assertThat(tooLarge.getType()).hasToString("urn:taskpool:problem:body-too-large");
        assertThat(tooLarge.getDetail()).isEqualTo("the body is larger than 1 MiB");

        assertThat(ProblemType.INVALID_REQUEST.with(505, "unsupported version").getStatus()).isEqualTo(505);
        assertThat(new String(ProblemJson.bytes(tooLarge), java.nio.charset.StandardCharsets.UTF_8))
                .contains("\"type\":\"urn:taskpool:problem:body-too-large\"", "\"status\":413")
                .doesNotContain("\"properties\"");
    }
}
