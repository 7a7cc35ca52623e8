package io.taskpool.task;

import static io.taskpool.support.TaskFixtures.aQueuedTask;
import static io.taskpool.support.TaskFixtures.retryingOnTimeout;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Which failures may be retried: the retry policy lives on the failure kinds. */
class TaskFailureTest {

    private final Task task = retryingOnTimeout(aQueuedTask(), false);

    @Test
    void whatMayGoBetterNextTimeIsRetryable() {
        assertThat(new TaskFailure.TaskError("java.io.IOException", "reset", null).retryable(task)).isTrue();
        assertThat(new TaskFailure.WorkerCrashed("exit code 137", null).retryable(task)).isTrue();
        assertThat(new TaskFailure.OutOfMemory("64MB", null).retryable(task)).isTrue();
    }

    @Test
    void aTimeOutIsRetryableOnlyWhenTheTaskAskedForIt() {
        TaskFailure timedOut = new TaskFailure.TimedOut(1000);
        assertThat(timedOut.retryable(task)).isFalse();
        assertThat(timedOut.retryable(retryingOnTimeout(task, true))).isTrue();
    }

    @Test
    void whatWouldHappenAgainIsNot() {
        assertThat(new TaskFailure.Cancelled("cancelled by a client").retryable(task)).isFalse();
        assertThat(new TaskFailure.ProtocolViolation("garbage").retryable(task)).isFalse();
        assertThat(new TaskFailure.ResultTooLarge("2 MB").retryable(task)).isFalse();
        assertThat(new TaskFailure.NodeLost("the service restarted").retryable(task)).isFalse();
    }
}
