package io.taskpool.store;

import io.taskpool.task.NodeSignals;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * {@link NodeSignals} over PostgreSQL's LISTEN/NOTIFY, on the channel {@value #CHANNEL}. A
 * replica's own notifications come back to it too and are ignored by their sender id.
 * "Queued" signals are coalesced: a burst of submissions sends one, since a woken dispatcher
 * claims everything its idle workers can take anyway. A connection of the pool is kept for
 * listening, and taken again after a failure.
 */
class PostgresNodeSignals implements NodeSignals, AutoCloseable {

    static final String CHANNEL = "taskpool";
    private static final Logger log = LoggerFactory.getLogger(PostgresNodeSignals.class);
    private static final int LISTEN_POLL_MILLIS = 500;
    private static final Duration RECONNECT_PAUSE = Duration.ofSeconds(1);
    private static final long QUEUED_COALESCE_MILLIS = 5;

    private final DataSource dataSource;
    private final JdbcClient jdbc;
    private final String sender = UUID.randomUUID().toString();
    private final AtomicBoolean queuedPending = new AtomicBoolean();
    private final Object queuedSignal = new Object();
    private volatile boolean running = true;
    private volatile Listener listener;
    private final Thread listenerThread = new Thread(this::listenLoop, "node-signals-listen");
    private final Thread queuedThread = new Thread(this::queuedLoop, "node-signals-queued");

    PostgresNodeSignals(DataSource dataSource, JdbcClient jdbc) {
        this.dataSource = dataSource;
        this.jdbc = jdbc;
        listenerThread.setDaemon(true);
        queuedThread.setDaemon(true);
    }

    @Override
    public void taskQueued() {
        if (queuedPending.compareAndSet(false, true)) {
            synchronized (queuedSignal) {
                queuedSignal.notifyAll();
            }
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
            queuedThread.start();
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

    private void queuedLoop() {
        while (running) {
            try {
                synchronized (queuedSignal) {
                    while (running && !queuedPending.get()) {
                        queuedSignal.wait(1000);
                    }
                }
                Thread.sleep(QUEUED_COALESCE_MILLIS);
                if (queuedPending.getAndSet(false)) {
                    notify("queued");
                }
            } catch (InterruptedException e) {
                return;
            }
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
                default -> log.debug("Ignoring an unknown signal: {}", payload);
            }
        } catch (RuntimeException e) {
            log.warn("Could not handle the signal '{}'", payload, e);
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        synchronized (queuedSignal) {
            queuedSignal.notifyAll();
        }
        listenerThread.join(2 * LISTEN_POLL_MILLIS);
        queuedThread.join(2000);
    }
}
