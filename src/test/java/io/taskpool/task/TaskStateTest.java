package io.taskpool.task;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class TaskStateTest {

    private static Set<TaskState> exits(TaskState from) {
        return Arrays.stream(TaskState.values()).filter(from::canMoveTo)
                .collect(Collectors.toCollection(() -> EnumSet.noneOf(TaskState.class)));
    }

    @ParameterizedTest
    @EnumSource(value = TaskState.class, names = {"SUCCEEDED", "FAILED", "CANCELLED", "TIMED_OUT"})
    void terminalStatesHaveNoExits(TaskState state) {
        assertThat(state.isTerminal()).isTrue();
        assertThat(exits(state)).isEmpty();
    }

    @Test
    void aQueuedTaskIsClaimedOrCancelled() {
        assertThat(exits(TaskState.QUEUED)).containsExactlyInAnyOrder(TaskState.RUNNING, TaskState.CANCELLED);
        assertThat(TaskState.QUEUED.canMoveTo(TaskState.SUCCEEDED)).isFalse();
        assertThat(TaskState.QUEUED.canMoveTo(TaskState.FAILED)).isFalse();
        assertThat(TaskState.QUEUED.canMoveTo(TaskState.TIMED_OUT)).isFalse();
    }

    @Test
    void aRunningTaskEndsInAnyTerminalStateOrIsRequeuedByRecovery() {
        assertThat(exits(TaskState.RUNNING)).containsExactlyInAnyOrder(TaskState.QUEUED, TaskState.SUCCEEDED,
                TaskState.FAILED, TaskState.CANCELLED, TaskState.TIMED_OUT);
    }

    @ParameterizedTest
    @EnumSource(TaskState.class)
    void noStateMovesToItself(TaskState state) {
        assertThat(state.canMoveTo(state)).isFalse();
    }

    @ParameterizedTest
    @EnumSource(TaskState.class)
    void theTerminalSetMatchesIsTerminal(TaskState state) {
        assertThat(TaskState.terminal().contains(state)).isEqualTo(state.isTerminal());
    }

    @Test
    void onlyQueuedAndRunningAreLive() {
        assertThat(EnumSet.complementOf(EnumSet.copyOf(TaskState.terminal())))
                .containsExactlyInAnyOrder(TaskState.QUEUED, TaskState.RUNNING);
    }

    @Test
    void everyTerminalStateIsReachableFromRunning() {
        assertThat(TaskState.terminal()).allMatch(TaskState.RUNNING::canMoveTo);
    }
}
