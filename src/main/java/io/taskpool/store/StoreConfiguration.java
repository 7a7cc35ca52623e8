package io.taskpool.store;

import io.taskpool.task.TaskStore;
import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

/** The JDBC task store, in the dialect of whatever database the data source points at. */
@Configuration(proxyBeanMethods = false)
class StoreConfiguration {

    @Bean
    TaskStore taskStore(DataSource dataSource, JdbcClient jdbc, PlatformTransactionManager transactionManager,
            JsonMapper json) throws SQLException {
        SqlDialect dialect;
        try (Connection connection = dataSource.getConnection()) {
            dialect = SqlDialect.forProductName(connection.getMetaData().getDatabaseProductName());
        }
        // An embedded H2 database belongs to this one process; PostgreSQL may be shared by replicas.
        return new JdbcTaskStore(jdbc, dialect, new TransactionTemplate(transactionManager), json,
                dialect == SqlDialect.H2);
    }
}
