package io.taskpool.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.taskpool.support.ServiceTest;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The committed contract, {@code openapi/taskpool.yaml}, must equal what the service serves.
 * Regenerate it with {@code ./mvnw verify -Dit.test=OpenApiContractIT -Dopenapi.write=true}.
 */
class OpenApiContractIT extends ServiceTest {

    private static final Path COMMITTED = Path.of("openapi", "taskpool.yaml");

    @Test
    void committedSpecMatchesTheServedOne() throws Exception {
        String served = api().accept("application/vnd.oai.openapi").get("/v3/api-docs.yaml")
                .then().statusCode(200).extract().asString();
        if (Boolean.getBoolean("openapi.write")) {
            Files.createDirectories(COMMITTED.getParent());
            Files.writeString(COMMITTED, served);
        }
        assertThat(COMMITTED).as("committed spec").exists();
        assertThat(Files.readString(COMMITTED))
                .as("openapi/taskpool.yaml differs from the served spec; regenerate it with"
                        + " ./mvnw verify -Dit.test=OpenApiContractIT -Dopenapi.write=true and review the diff")
                .isEqualTo(served);
    }

    @Test
    void swaggerUiIsServed() {
        api().accept("text/html").redirects().follow(true).get("/swagger-ui.html").then().statusCode(200);
    }

    @Test
    void everyOperationIsDescribed() {
        String spec = api().get("/v3/api-docs").then().statusCode(200).extract().asString();
        assertThat(spec).contains("\"/api/v1/tasks\"", "\"/api/v1/tasks/{id}\"", "\"/api/v1/tasks/{id}/result\"",
                "\"/api/v1/tasks/{id}/cancel\"", "\"/api/v1/task-types\"", "\"/api/v1/workers\"",
                "\"/api/v1/workers/restart\"", "\"/api/v1/queue\"");
        java.util.List<String> summaries = io.restassured.path.json.JsonPath.from(spec)
                .getList("paths.collectMany { p, ops -> ops.collect { m, op -> op.summary } }");
        assertThat(summaries).hasSize(17).doesNotContainNull();
    }
}
