package io.taskpool.worker.runtime.builtin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SchemaTextTest {

    @Test
    void fillsEachPlaceholderInOrderAsStringFormatWould() {
        String template = "{\"minimum\": %d, \"maximum\": %d}";
        assertThat(SchemaText.withNumbers(template, Long.MIN_VALUE, 42))
                .isEqualTo(String.format(template, Long.MIN_VALUE, 42));
    }

    @Test
    void aTemplateWithoutPlaceholdersStaysAsItIs() {
        assertThat(SchemaText.withNumbers("{\"type\": \"object\"}")).isEqualTo("{\"type\": \"object\"}");
    }

    @Test
    void refusesAMismatchBetweenPlaceholdersAndNumbers() {
        assertThatThrownBy(() -> SchemaText.withNumbers("%d and %d", 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SchemaText.withNumbers("%d", 1, 2)).isInstanceOf(IllegalArgumentException.class);
    }
}
