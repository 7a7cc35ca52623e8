package io.taskpool.store;

import io.taskpool.task.NodeSignals;
import io.taskpool.task.TaskEvents.Kind;
import io.taskpool.task.TaskEvents.TaskEvent;
import io.taskpool.task.TaskProgress;
import io.taskpool.task.TaskState;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@link NodeSignals} over PostgreSQL's LISTEN/NOTIFY, on the channel {@value #CHANNEL}. A
 * replica's own notifications come back to it too and are ignored by their sender id.
 * "Queued" signals are coalesced: a burst of submissions sends one, since a woken dispatcher
 * claims everything its idle workers can take anyway. Task events travel in bundles: what was
 * published within a few milliseconds goes as one notification (PostgreSQL takes payloads
 * below 8,000 bytes), so that a busy replica sends tens of notifications a second, not one per
 * event. A connection of the pool is kept for listening, and taken again after a failure.
 */
class PostgresNodeSignals implements NodeSignals, AutoCloseable {

    static final String CHANNEL = "taskpool";
    private static final Logger log = LoggerFactory.getLogger(PostgresNodeSignals.class);
    private static final int LISTEN_POLL_MILLIS = 500;
    private static final Duration RECONNECT_PAUSE = Duration.ofSeconds(1);
    private static final long COALESCE_MILLIS = 5;
    /** PostgreSQL refuses a payload of 8,000 bytes or more; the sender id and verb come first. */
    private static final int MAX_EVENTS_BYTES = 7_800;
    /** Events waiting to be sent; past this many the store is not keeping up and hints are dropped. */
    private static final int OUTBOX_CAPACITY = 20_000;
    private static final TypeReference<List<WireEvent>> WIRE_EVENTS = new TypeReference<>() {};

    private final DataSource dataSource;
    private final JdbcClient jdbc;
    private final JsonMapper json;
    private final String sender = UUID.randomUUID().toString();
    private final AtomicBoolean queuedPending = new AtomicBoolean();
    private final BlockingQueue<TaskEvent> outbox = new ArrayBlockingQueue<>(OUTBOX_CAPACITY);
    private final Object pending = new Object();
    private volatile boolean running = true;
    private volatile Listener listener;
    private final Thread listenerThread = new Thread(this::listenLoop, "node-signals-listen");
    private final Thread senderThread = new Thread(this::sendLoop, "node-signals-send");

    PostgresNodeSignals(DataSource dataSource, JdbcClient jdbc, JsonMapper json) {
        this.dataSource = dataSource;
        this.jdbc = jdbc;
        this.json = json;
        listenerThread.setDaemon(true);
        senderThread.setDaemon(true);
    }

    @Override
    public void taskQueued() {
        if (queuedPending.compareAndSet(false, true)) {
            wakeSender();
        }
    }

    @Override
    public void taskEvent(TaskEvent event) {
        if (outbox.offer(event)) {
            wakeSender();
        } else {
            log.debug("Too many task events waiting for the store; other replicas will poll for {}", event.taskId());
        }
    }

    private void wakeSender() {
        synchronized (pending) {
            pending.notifyAll();
        }
    }

    @Override
    public void cancelRequested(UUID taskId) {
        notify("cancel " + taskId);
    }

    @Override
    public synchronized void listen(Listener listener) {
        this.listener = listener;
        if (!listenerThread.isAlive()) {
            listenerThread.start();
            senderThread.start();
        }
    }

    private void notify(String message) {
        try {
            jdbc.sql("SELECT pg_notify(:channel, :payload)").param("channel", CHANNEL)
                    .param("payload", sender + " " + message).query(Object.class).optional();
        } catch (RuntimeException e) {
            log.debug("Could not notify other replicas ({}); they will find out at their next poll", message, e);
        }
    }

    private void sendLoop() {
        while (running) {
            try {
                synchronized (pending) {
                    while (running && !queuedPending.get() && outbox.isEmpty()) {
                        pending.wait(1000);
                    }
                }
                Thread.sleep(COALESCE_MILLIS);
                if (queuedPending.getAndSet(false)) {
                    notify("queued");
                }
                sendEvents();
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Sends what the outbox holds, in as few notifications as fit it. */
    private void sendEvents() {
        List<TaskEvent> drained = new ArrayList<>();
        outbox.drainTo(drained);
        List<String> bundle = new ArrayList<>();
        int bytes = 0;
        for (TaskEvent event : drained) {
            WireEvent wire = WireEvent.of(event);
            String encoded = json.writeValueAsString(wire);
            int size = encoded.getBytes(StandardCharsets.UTF_8).length + 1;
            if (size > MAX_EVENTS_BYTES) {
                // Only a long progress message makes an event this large: the state is what matters.
                encoded = json.writeValueAsString(wire.withoutMessage());
                size = encoded.getBytes(StandardCharsets.UTF_8).length + 1;
            }
            if (bytes + size > MAX_EVENTS_BYTES) {
                notify("events [" + String.join(",", bundle) + "]");
                bundle.clear();
                bytes = 0;
            }
            bundle.add(encoded);
            bytes += size;
        }
        if (!bundle.isEmpty()) {
            notify("events [" + String.join(",", bundle) + "]");
        }
    }

    private void listenLoop() {
        while (running) {
            try (Connection connection = dataSource.getConnection()) {
                try (Statement statement = connection.createStatement()) {
                    statement.execute("LISTEN " + CHANNEL);
                }
                PGConnection postgres = connection.unwrap(PGConnection.class);
                while (running) {
                    PGNotification[] notifications = postgres.getNotifications(LISTEN_POLL_MILLIS);
                    if (notifications != null) {
                        for (PGNotification notification : notifications) {
                            deliver(notification.getParameter());
                        }
                    }
                }
            } catch (SQLException | RuntimeException e) {
                if (running) {
                    log.warn("Listening to other replicas failed; listening again in {}", RECONNECT_PAUSE, e);
                    try {
                        Thread.sleep(RECONNECT_PAUSE.toMillis());
                    } catch (InterruptedException interrupted) {
                        return;
                    }
                }
            }
        }
    }

    private void deliver(String payload) {
        String[] parts = payload.split(" ", 3);
        if (parts.length < 2 || parts[0].equals(sender) || listener == null) {
            return;
        }
        try {
            switch (parts[1]) {
                case "queued" -> listener.taskQueued();
                case "cancel" -> listener.cancelRequested(UUID.fromString(parts[2]));
                case "events" -> json.readValue(parts[2], WIRE_EVENTS)
                        .forEach(event -> listener.taskEvent(event.toEvent()));
                default -> log.debug("Ignoring an unknown signal: {}", payload);
            }
        } catch (RuntimeException e) {
            log.warn("Could not handle the signal '{}'", payload, e);
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        wakeSender();
        listenerThread.join(2 * LISTEN_POLL_MILLIS);
        senderThread.join(2000);
    }

    /** A task event as it travels, with short names: a notification holds 30 or so of them. */
    record WireEvent(Kind k, UUID id, String ty, TaskState s, Double f, String m, UUID b, Integer i, int a, String e,
            Instant at, String t) {

        static WireEvent of(TaskEvent event) {
            TaskProgress progress = event.progress();
            return new WireEvent(event.kind(), event.taskId(), event.type(), event.state(),
                    progress == null ? null : progress.fraction(), progress == null ? null : progress.message(),
                    event.batchId(), event.batchIndex(), event.attempt(), event.errorCode(), event.at(), event.tenant());
        }

        WireEvent withoutMessage() {
            return new WireEvent(k, id, ty, s, f, null, b, i, a, e, at, t);
        }

        TaskEvent toEvent() {
            return new TaskEvent(k, id, ty, s, f == null ? null : new TaskProgress(f, m), b, i, a, e, at, t);
        }
    }
}
