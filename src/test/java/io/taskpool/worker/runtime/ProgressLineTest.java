package io.taskpool.worker.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ProgressLineTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            {"progress": 0.4, "message": "fitting"}      | 0.4 | fitting
            {"progress": 1}                              | 1.0 |
              {"progress":0,"message":null}              | 0.0 |
            {"message": "first", "progress": 0.25}       | 0.25 | first
            {"progress": 0.5, "message": 7}              | 0.5 |
            """)
    void aJsonObjectWithANumericProgressIsProgress(String line, double fraction, String message) {
        assertThat(ProgressLine.parse(line)).isEqualTo(new ProgressLine(fraction, message));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        "plain text",
        "",
        "{\"progress\": \"half\"}",
        "{\"progress\": 1.5}",
        "{\"progress\": -0.1}",
        "{\"progress\": 0.5",
        "{\"level\": \"info\", \"msg\": \"progress\"}",
        "[{\"progress\": 0.5}]",
        "{\"progress\": 0.5} trailing"})
    void anythingElseIsALogLine(String line) {
        assertThat(ProgressLine.parse(line)).isNull();
    }
}
