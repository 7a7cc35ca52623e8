package io.taskpool.task;

import static io.taskpool.support.TaskFixtures.aQueuedTask;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.taskpool.task.TaskEvents.TaskEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TaskEventsTest {

    private static final Instant AT = Instant.parse("2026-03-01T10:15:30Z");

    private final TaskEvents events = new TaskEvents(1024, 2);

    @AfterEach
    void stopSenders() {
        events.close();
    }

    /** Records what it is given. */
    private static final class Recorder implements TaskEvents.Listener {
        final List<TaskEvent> received = new CopyOnWriteArrayList<>();
        final CountDownLatch dropped = new CountDownLatch(1);

        @Override
        public void onEvent(TaskEvent event) {
            received.add(event);
        }

        @Override
        public void onDropped() {
            dropped.countDown();
        }
    }

    private static TaskEvent progress(Task task, double fraction) {
        return TaskEvent.progress(task, new TaskProgress(fraction, null), AT);
    }

    @Test
    void aSubscriberGetsItsFirstEventThenTheRestInOrder() {
        Task task = aQueuedTask();
        Recorder recorder = new Recorder();
        TaskEvents.Subscription subscription = events.subscribe(task.id(), recorder);
        for (int i = 0; i < 500; i++) {
            events.publish(progress(task, i / 1000.0));
        }
        subscription.start(TaskEvent.current(task, AT));
        for (int i = 500; i < 1000; i++) {
            events.publish(progress(task, i / 1000.0));
        }

        await().atMost(Duration.ofSeconds(10)).until(() -> recorder.received.size() == 1001);
        assertThat(recorder.received.get(0).kind()).isEqualTo(TaskEvents.Kind.STATE);
        assertThat(recorder.received.subList(1, 1001)).extracting(e -> e.progress().fraction())
                .isSorted().doesNotHaveDuplicates();
    }

    @Test
    void aTaskSubscriberGetsOnlyItsTaskAndAGlobalOneEveryTask() {
        Task mine = aQueuedTask();
        Task other = aQueuedTask();
        Recorder one = new Recorder();
        Recorder all = new Recorder();
        events.subscribe(mine.id(), one).start(null);
        events.subscribe(null, all).start(null);

        events.publish(TaskEvent.current(other, AT));
        events.publish(TaskEvent.current(mine, AT));

        await().atMost(Duration.ofSeconds(10)).until(() -> all.received.size() == 2 && one.received.size() == 1);
        assertThat(one.received).extracting(TaskEvent::taskId).containsExactly(mine.id());
        assertThat(all.received).extracting(TaskEvent::taskId).containsExactly(other.id(), mine.id());
    }

    @Test
    void aSubscriberThatNeverDrainsIsDroppedWithoutSlowingThePublisher() throws InterruptedException {
        Task task = aQueuedTask();
        CountDownLatch stuck = new CountDownLatch(1);
        CountDownLatch dropped = new CountDownLatch(1);
        TaskEvents.Subscription slow = events.subscribe(null, new TaskEvents.Listener() {
            @Override
            public void onEvent(TaskEvent event) throws InterruptedException {
                stuck.await(); // a client that stopped reading: its write never returns
            }

            @Override
            public void onDropped() {
                dropped.countDown();
            }
        });
        slow.start(null);
        Recorder healthy = new Recorder();
        events.subscribe(null, healthy).start(null);

        assertTimeoutPreemptively(Duration.ofSeconds(2), () -> {
            for (int i = 0; i < 10_000; i++) {
                events.publish(progress(task, i / 10_000.0));
            }
        });

        assertThat(slow.isClosed()).isTrue();
        await().atMost(Duration.ofSeconds(10)).until(() -> dropped.getCount() == 0);
        assertThat(events.subscriptions()).isLessThanOrEqualTo(1);
        stuck.countDown();
    }

    @Test
    void aClosedSubscriptionGetsNothingMore() {
        Task task = aQueuedTask();
        Recorder recorder = new Recorder();
        TaskEvents.Subscription subscription = events.subscribe(task.id(), recorder);
        subscription.start(null);
        subscription.close();

        events.publish(TaskEvent.current(task, AT));

        assertThat(events.subscriptions()).isZero();
        assertThat(recorder.received).isEmpty();
    }
}
