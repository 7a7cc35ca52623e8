/**
 * The durable queue: {@code JdbcTaskStore} implements {@link io.taskpool.task.TaskStore} on H2
 * (the embedded default, a file under {@code ./data/}) or PostgreSQL, with the schema kept by
 * Flyway migrations in {@code db/migration}; {@code JdbcBatchStore} keeps batches,
 * {@code JdbcRetentionStore} deletes what is past its retention, {@code TenantLanes} keeps the
 * tenants' round-robin and {@code PostgresNodeSignals} carries hints between replicas. All SQL of
 * the service lives in this package, each statement in the class that runs it; row conversions
 * are shared ({@code Rows}).
 */
package io.taskpool.store;
