package io.taskpool.task;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TaskProgressTest {

    @Test
    void whatAWorkerSendsIsBroughtIntoRange() {
        assertThat(new TaskProgress(Double.NaN, null).fraction()).isZero();
        assertThat(new TaskProgress(-3, null).fraction()).isZero();
        assertThat(new TaskProgress(Double.POSITIVE_INFINITY, null).fraction()).isEqualTo(1.0);
        assertThat(new TaskProgress(0.25, "x".repeat(5000)).message()).hasSize(TaskProgress.MAX_MESSAGE_CHARS);
        assertThat(new TaskProgress(0.5, "halfway")).isEqualTo(new TaskProgress(0.5, "halfway"));
    }
}
