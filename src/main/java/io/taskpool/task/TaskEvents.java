package io.taskpool.task;

import java.time.Instant;
import java.util.Set;
import java.util.HashSet;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells subscribers (the API's event streams) of every task's state changes and progress, without
 * ever making the publisher wait: {@link TaskService} publishes from the worker supervisor's
 * threads, which must not be slowed by a client reading slowly.
 *
 * <p>Each subscription has a bounded queue. Publishing only offers to it; a full queue drops the
 * subscription, whose listener is then told so and closes its stream. Events are delivered on a
 * few {@code task-events-N} threads, each subscription's queue drained by one run at a time, so a
 * listener sees its events in publishing order and never two at once.
 */
public final class TaskEvents implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(TaskEvents.class);
    /** Events one run delivers before it makes way for other subscriptions' runs. */
    private static final int EVENTS_PER_RUN = 64;

    /** What happened to a task. */
    public enum Kind {
        /** The task entered {@code state}. */
        STATE,
        /** The task, RUNNING, reported progress. */
        PROGRESS
    }

    /**
     * One event. {@code type}, {@code attempt} and the batch fields are those of the task as
     * the publisher saw it ({@code type} may be null when only the id was at hand);
     * {@code progress} is set for PROGRESS events, {@code errorCode} for terminal states other
     * than SUCCEEDED.
     */
    public record TaskEvent(Kind kind, UUID taskId, String type, TaskState state, TaskProgress progress,
            UUID batchId, Integer batchIndex, int attempt, String errorCode, Instant at, String tenant) {

        /** The task as it is now: its current state. */
        public static TaskEvent current(Task task, Instant at) {
            return state(task, task.state(), task.error() == null ? null : task.error().code(), at);
        }

        /** The task entered {@code state}. */
        public static TaskEvent state(Task task, TaskState state, String errorCode, Instant at) {
            return new TaskEvent(Kind.STATE, task.id(), task.type(), state, task.progress(), task.batchId(),
                    task.batchIndex(), task.attempt(), errorCode, at, task.tenant());
        }

        /** The running task reported progress. */
        public static TaskEvent progress(Task task, TaskProgress progress, Instant at) {
            return new TaskEvent(Kind.PROGRESS, task.id(), task.type(), TaskState.RUNNING, progress, task.batchId(),
                    task.batchIndex(), task.attempt(), null, at, task.tenant());
        }

        public boolean isTerminal() {
            return kind == Kind.STATE && state.isTerminal();
        }
    }

    /** Receives the events of one subscription, on a delivery thread. */
    public interface Listener {

        /** Delivers one event; an exception ends the subscription (the client is gone). */
        void onEvent(TaskEvent event) throws Exception;

        /** The subscription was dropped because its listener fell too far behind. */
        void onDropped();
    }

    private final int queueCapacity;
    private final ExecutorService sender;
    private final Set<Subscription> subscriptions = ConcurrentHashMap.newKeySet();

    /**
     * @param queueCapacity events a subscription may have waiting before it is dropped
     * @param senderThreads threads that deliver events to listeners
     */
    public TaskEvents(int queueCapacity, int senderThreads) {
        this.queueCapacity = queueCapacity;
        AtomicInteger count = new AtomicInteger();
        this.sender = Executors.newFixedThreadPool(senderThreads, runnable -> {
            Thread thread = new Thread(runnable, "task-events-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Subscribes to the events of one task ({@code taskId}), or of all tasks ({@code null}).
     * Nothing is delivered before {@link Subscription#start}: a subscriber subscribes, then
     * reads the task's current state, then starts with that state as its first event, so that
     * no change between the two is missed (one may come twice).
     */
    public Subscription subscribe(UUID taskId, Listener listener) {
        Subscription subscription = new Subscription(taskId, listener);
        subscriptions.add(subscription);
        return subscription;
    }

    /** Offers the event to each matching subscription; never blocks. */
    public void publish(TaskEvent event) {
        for (Subscription subscription : subscriptions) {
            if (subscription.taskId == null || subscription.taskId.equals(event.taskId())) {
                subscription.offer(event);
            }
        }
    }

    /** The tasks that subscriptions follow one by one (not those following every task). */
    public Set<UUID> followedTasks() {
        Set<UUID> ids = new HashSet<>();
        for (Subscription subscription : subscriptions) {
            if (subscription.taskId != null) {
                ids.add(subscription.taskId);
            }
        }
        return ids;
    }

    /**
     * The service is stopping: every subscription ends now, its listener told as if dropped, so
     * that streams end cleanly instead of being cut when the server stops.
     */
    public void endAll() {
        for (Subscription subscription : subscriptions) {
            subscription.close();
            try {
                subscription.listener.onDropped();
            } catch (RuntimeException ignored) {
                // the client is gone already
            }
        }
    }

    /** Open subscriptions. */
    public int subscriptions() {
        return subscriptions.size();
    }

    @Override
    public void close() {
        sender.shutdownNow();
    }

    /** One subscriber's queue. */
    public final class Subscription implements AutoCloseable {
        private final UUID taskId;
        private final Listener listener;
        private final BlockingQueue<TaskEvent> queue = new ArrayBlockingQueue<>(queueCapacity);
        private final AtomicBoolean draining = new AtomicBoolean();
        private final AtomicBoolean closed = new AtomicBoolean();
        private volatile boolean started;
        /** Delivered before anything queued; set once by {@link #start}. */
        private volatile TaskEvent first;

        private Subscription(UUID taskId, Listener listener) {
            this.taskId = taskId;
            this.listener = listener;
        }

        /** Starts delivery, with {@code first} (may be null) ahead of everything queued so far. */
        public void start(TaskEvent first) {
            this.first = first;
            started = true;
            schedule();
        }

        /** Ends the subscription; events still queued are not delivered. */
        @Override
        public void close() {
            if (closed.compareAndSet(false, true)) {
                subscriptions.remove(this);
                queue.clear();
            }
        }

        public boolean isClosed() {
            return closed.get();
        }

        private void offer(TaskEvent event) {
            if (closed.get()) {
                return;
            }
            if (!queue.offer(event)) {
                close();
                log.info("An event stream{} fell {} events behind and was closed; the client may reconnect",
                        taskId == null ? "" : " of task " + taskId, queueCapacity);
                execute(listener::onDropped);
                return;
            }
            schedule();
        }

        private void schedule() {
            if (started && !closed.get() && draining.compareAndSet(false, true)) {
                execute(this::drain);
            }
        }

        private void drain() {
            try {
                TaskEvent head = first;
                if (head != null) {
                    first = null;
                    deliver(head);
                }
                for (int i = 0; i < EVENTS_PER_RUN && !closed.get(); i++) {
                    TaskEvent event = queue.poll();
                    if (event == null) {
                        break;
                    }
                    deliver(event);
                }
            } finally {
                draining.set(false);
            }
            // Events offered while this run ended its loop would otherwise wait for the next publish.
            if (!queue.isEmpty()) {
                schedule();
            }
        }

        private void deliver(TaskEvent event) {
            if (closed.get()) {
                return;
            }
            try {
                listener.onEvent(event);
            } catch (Exception clientGone) {
                close();
            }
        }

        private void execute(Runnable work) {
            try {
                sender.execute(work);
            } catch (RejectedExecutionException shuttingDown) {
                close();
            }
        }
    }
}
