package io.taskpool.api;

import java.nio.charset.StandardCharsets;
import org.springframework.http.ProblemDetail;
import org.springframework.http.converter.json.ProblemDetailJacksonMixin;
import tools.jackson.databind.json.JsonMapper;

/**
 * Problem details as JSON bytes, for the places that answer before Spring MVC could write them
 * (a servlet filter, Tomcat's error report). Spring's mix-in writes the extra properties at the
 * top level, as the API's answers have them.
 */
final class ProblemJson {

    private static final JsonMapper JSON = JsonMapper.builder()
            .addMixIn(ProblemDetail.class, ProblemDetailJacksonMixin.class)
            .build();

    static final String CONTENT_TYPE = "application/problem+json";

    private ProblemJson() {}

    static byte[] bytes(ProblemDetail problem) {
        return JSON.writeValueAsString(problem).getBytes(StandardCharsets.UTF_8);
    }
}
