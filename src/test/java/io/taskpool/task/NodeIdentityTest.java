package io.taskpool.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class NodeIdentityTest {

    @Test
    void eachStartUnderOneNameIsItsOwnOwner() {
        NodeIdentity first = NodeIdentity.startingNow("vm", false);
        NodeIdentity second = NodeIdentity.startingNow("vm", false);

        assertThat(first.id()).startsWith("vm#").isNotEqualTo(second.id());
        assertThat(second.id()).startsWith("vm#");
        assertThat(first.name()).isEqualTo("vm");
    }

    @Test
    void aNameMayNotHoldTheSeparator() {
        assertThatThrownBy(() -> NodeIdentity.startingNow("vm#1", true)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'#'");
    }
}
