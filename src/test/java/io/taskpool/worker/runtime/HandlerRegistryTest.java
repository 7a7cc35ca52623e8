package io.taskpool.worker.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.taskpool.worker.protocol.Frame.TaskType;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HandlerRegistryTest {

    @Test
    void programsComeAfterTheClassPathsHandlersAndCannotReplaceThem() {
        ProgramSpec words = new ProgramSpec("text.words", "Counts words", List.of("wc", "-w"), null, Map.of(),
                "{\"type\": \"object\"}");
        ProgramSpec noop = new ProgramSpec("noop", "Not the built-in noop", List.of("true"), null, Map.of(), null);

        HandlerRegistry registry = HandlerRegistry.load(List.of(words, noop), 1024);

        assertThat(registry.find("text.words")).isInstanceOf(ProgramHandler.class);
        assertThat(registry.find("noop")).isNotInstanceOf(ProgramHandler.class);
        assertThat(registry.types()).contains(new TaskType("text.words", "Counts words", "{\"type\": \"object\"}"))
                .filteredOn(type -> type.type().equals("noop")).hasSize(1)
                .allSatisfy(type -> assertThat(type.description()).isNotEqualTo("Not the built-in noop"));
        List<String> names = registry.types().stream().map(TaskType::type).toList();
        assertThat(names.indexOf("text.words")).isEqualTo(names.size() - 1);
    }
}
