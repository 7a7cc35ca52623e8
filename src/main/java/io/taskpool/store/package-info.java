/**
 * The durable queue: {@code JdbcTaskStore} implements {@link io.taskpool.task.TaskStore} on H2
 * (the embedded default, a file under {@code ./data/}) or PostgreSQL, with the schema kept by
 * Flyway migrations in {@code db/migration}. All SQL of the service lives here.
 */
package io.taskpool.store;
