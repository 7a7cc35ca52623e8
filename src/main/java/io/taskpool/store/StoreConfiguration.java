package io.taskpool.store;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.taskpool.task.BatchStore;
import io.taskpool.task.NodeSignals;
import io.taskpool.task.RetentionStore;
import io.taskpool.task.TaskStore;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import javax.sql.DataSource;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

/** The JDBC stores, in the dialect of whatever database the data source points at. */
@Configuration(proxyBeanMethods = false)
class StoreConfiguration {

    /**
     * Every user of the data source (the stores, Flyway, the transaction manager) goes through the
     * one that tracks commits, so that none of them commits around it.
     */
    @Bean
    static BeanPostProcessor commitTracking() {
        return new BeanPostProcessor() {
            @Override
            public Object postProcessAfterInitialization(Object bean, String beanName) {
                return bean instanceof DataSource dataSource && !(bean instanceof CommitTrackingDataSource)
                        ? new CommitTrackingDataSource(dataSource) : bean;
            }
        };
    }

    /** {@code taskpool.store.commits}: durable commits, the figure the benchmark reads per task. */
    @Bean
    MeterBinder durableCommitsMetric(DataSource dataSource) {
        return registry -> {
            if (dataSource instanceof CommitTrackingDataSource tracked) {
                FunctionCounter.builder("taskpool.store.commits", tracked, CommitTrackingDataSource::durableCommits)
                        .description("Durable commits to the store (on the embedded H2 file: write-outs of the file)")
                        .register(registry);
            }
        };
    }

    @Bean
    SqlDialect sqlDialect(DataSource dataSource) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            return SqlDialect.forProductName(connection.getMetaData().getDatabaseProductName());
        }
    }

    /** One round-robin of tenants for both stores: one cache of the lanes already written. */
    @Bean
    TenantLanes tenantLanes(JdbcClient jdbc) {
        return new TenantLanes(jdbc);
    }

    @Bean
    TaskStore taskStore(JdbcClient jdbc, SqlDialect dialect, PlatformTransactionManager transactionManager,
            JsonMapper json, @Value("${taskpool.cluster.lease:15s}") Duration lease, TenantLanes lanes) {
        // An embedded H2 database belongs to this one process; PostgreSQL may be shared by replicas.
        return new JdbcTaskStore(jdbc, dialect, new TransactionTemplate(transactionManager), json,
                dialect == SqlDialect.H2, lease, lanes);
    }

    /**
     * Replicas on PostgreSQL wake each other; an embedded H2 store has no one to tell. Spring
     * closes the listener (its inferred close method) before the data source it uses.
     */
    @Bean
    NodeSignals nodeSignals(SqlDialect dialect, DataSource dataSource, JdbcClient jdbc, JsonMapper json) {
        return dialect == SqlDialect.POSTGRESQL ? new PostgresNodeSignals(dataSource, jdbc, json) : NodeSignals.NONE;
    }

    @Bean
    BatchStore batchStore(JdbcClient jdbc, JdbcTemplate jdbcTemplate, SqlDialect dialect,
            PlatformTransactionManager transactionManager, JsonMapper json, TenantLanes lanes) {
        return new JdbcBatchStore(jdbc, jdbcTemplate, dialect, new TransactionTemplate(transactionManager), json,
                lanes);
    }

    @Bean
    RetentionStore retentionStore(JdbcClient jdbc, SqlDialect dialect, PlatformTransactionManager transactionManager) {
        return new JdbcRetentionStore(jdbc, dialect, new TransactionTemplate(transactionManager));
    }
}
