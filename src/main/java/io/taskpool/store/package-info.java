/**
 * The durable queue: {@code JdbcTaskStore} implements {@link io.taskpool.task.TaskStore} on H2
 * (the embedded default, a file under {@code ./data/}) or PostgreSQL, with the schema kept by
 * Flyway migrations in {@code db/migration}; {@code JdbcBatchStore} keeps batches, and
 * {@code JdbcRetentionStore} deletes what is past its retention. All SQL of the service lives here.
 */
package io.taskpool.store;
