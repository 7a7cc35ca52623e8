/**
 * The task domain: {@link io.taskpool.task.Task} and its {@link io.taskpool.task.TaskState}
 * machine, the {@link io.taskpool.task.TaskFailure} set, the {@link io.taskpool.task.TaskStore}
 * port, the {@link io.taskpool.task.TaskService} use cases, which publish every state change
 * and progress update to {@link io.taskpool.task.TaskEvents}, and the reads and long polls of
 * {@link io.taskpool.task.TaskQueries}. The
 * {@link io.taskpool.task.RetentionSweeper} deletes what finished longer ago than the retention,
 * through the {@link io.taskpool.task.RetentionStore} port. Depends on no other package of
 * ours: the store implements {@code TaskStore}, the worker pool implements {@code WorkerGateway}.
 */
package io.taskpool.task;
