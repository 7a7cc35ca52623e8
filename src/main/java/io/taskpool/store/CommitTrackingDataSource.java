package io.taskpool.store;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.springframework.jdbc.datasource.DelegatingDataSource;

/**
 * The data source the stores write through: it counts durable commits and decides which commits
 * wait for the disk. Every commit (a transaction's, or a writing statement's in auto-commit) is
 * durable before it returns, unless its thread runs it {@link Durability#relaxed relaxed}. On an
 * embedded H2 file the write-out is shared with whoever else commits at that moment
 * ({@link FileFlush}), and H2 is left to write out on its own schedule ({@code WRITE_DELAY}), so
 * relaxed commits cost no disk work of their own. On PostgreSQL a relaxed commit runs with
 * {@code synchronous_commit} off: it does not wait for its WAL flush.
 *
 * <p>The count is what a benchmark reads per task and what a test holds steady: on H2 the
 * write-outs, on PostgreSQL the commits that waited for their WAL flush.
 */
final class CommitTrackingDataSource extends DelegatingDataSource {

    /** A statement that changes data or schema: its auto-commit must be durable. */
    private static final Pattern WRITES = Pattern.compile("\\b(INSERT|UPDATE|DELETE|MERGE|CREATE|ALTER|DROP|TRUNCATE)\\b");

    /** Statement texts whose kind is remembered; the service has a few hundred. */
    private static final int MAX_REMEMBERED_STATEMENTS = 2000;

    private final LongAdder durableCommits = new LongAdder();
    private final FileFlush fileFlush = new FileFlush(durableCommits::increment);
    private final Map<String, Boolean> writingSql = new ConcurrentHashMap<>();
    /** Null until the first connection says which database this is. */
    private volatile Boolean embeddedH2;

    CommitTrackingDataSource(DataSource target) {
        super(target);
    }

    /** Durable commits (H2: write-outs of the file) since start-up. */
    long durableCommits() {
        return durableCommits.sum();
    }

    @Override
    public Connection getConnection() throws SQLException {
        return track(super.getConnection());
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        return track(super.getConnection(username, password));
    }

    private Connection track(Connection connection) throws SQLException {
        if (embeddedH2 == null) {
            embeddedH2 = connection.getMetaData().getDatabaseProductName().toLowerCase(Locale.ROOT).contains("h2");
        }
        return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
                new TrackedConnection(connection));
    }

    /**
     * A commit of {@code connection} returned: run what waits for it to be visible, then make it
     * durable unless relaxed, and count it.
     */
    private void committed(Connection connection) throws SQLException {
        Durability.committed();
        if (Durability.isRelaxed()) {
            return;
        }
        if (embeddedH2) {
            fileFlush.flush(connection);
        } else {
            durableCommits.increment();
        }
    }

    /**
     * On PostgreSQL, whether a commit about to run on this thread may return before its WAL
     * record is flushed. PostgreSQL still writes it within a few hundred milliseconds, in order:
     * a later durable commit (an outcome) flushes every relaxed one before it, so a task's claim
     * is never lost while its result is kept.
     */
    private boolean relaxedOnPostgres() {
        return !embeddedH2 && Durability.isRelaxed();
    }

    private static void set(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    private boolean writes(String sql) {
        Boolean known = writingSql.get(sql);
        if (known != null) {
            return known;
        }
        boolean writes = WRITES.matcher(sql.toUpperCase(Locale.ROOT)).find();
        // Bounded: a statement with an expanded IN list has a text per list length.
        if (writingSql.size() < MAX_REMEMBERED_STATEMENTS) {
            writingSql.put(sql, writes);
        }
        return writes;
    }

    private static Object invoke(Method method, Object target, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    /** Sees commits, and hands out statements that see their own executions. */
    private final class TrackedConnection implements InvocationHandler {
        private final Connection connection;

        TrackedConnection(Connection connection) {
            this.connection = connection;
        }

        @Override
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            String name = method.getName();
            if (name.equals("commit") && relaxedOnPostgres() && !connection.getAutoCommit()) {
                set(connection, "SET LOCAL synchronous_commit TO OFF");
            }
            Object result = CommitTrackingDataSource.invoke(method, connection, args);
            if (name.equals("commit")) {
                committed(connection);
            } else if (result instanceof PreparedStatement prepared && name.startsWith("prepare")) {
                return proxy(prepared, PreparedStatement.class, (String) args[0]);
            } else if (result instanceof Statement statement && name.equals("createStatement")) {
                return proxy(statement, Statement.class, null);
            }
            return result;
        }

        private Object proxy(Statement statement, Class<? extends Statement> type, String sql) {
            Class<?> exposed = statement instanceof java.sql.CallableStatement ? java.sql.CallableStatement.class : type;
            return Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {exposed},
                    new TrackedStatement(connection, statement, sql));
        }
    }

    /** Counts an auto-committed write as a commit once it has run. */
    private final class TrackedStatement implements InvocationHandler {
        private final Connection connection;
        private final Statement statement;
        private final String preparedSql;

        TrackedStatement(Connection connection, Statement statement, String preparedSql) {
            this.connection = connection;
            this.statement = statement;
            this.preparedSql = preparedSql;
        }

        @Override
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            if (!method.getName().startsWith("execute")) {
                return CommitTrackingDataSource.invoke(method, statement, args);
            }
            String sql = args != null && args.length > 0 && args[0] instanceof String text ? text : preparedSql;
            boolean autoCommittedWrite = sql != null && writes(sql) && connection.getAutoCommit();
            if (!autoCommittedWrite) {
                return CommitTrackingDataSource.invoke(method, statement, args);
            }
            if (relaxedOnPostgres()) {
                // No transaction to scope the setting to: set it for the session, and put it back.
                set(connection, "SET synchronous_commit TO OFF");
                try {
                    return CommitTrackingDataSource.invoke(method, statement, args);
                } finally {
                    set(connection, "RESET synchronous_commit");
                }
            }
            Object result = CommitTrackingDataSource.invoke(method, statement, args);
            committed(connection);
            return result;
        }
    }
}
