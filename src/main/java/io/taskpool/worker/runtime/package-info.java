/**
 * The worker process: {@link io.taskpool.worker.runtime.WorkerMain} reads frames from stdin, runs
 * each task through the {@link io.taskpool.spi.TaskHandler} for its type and writes frames to
 * stdout. A program task type is one more handler ({@code ProgramHandler}): one external process
 * per task, its input on stdin, its result from stdout. No Spring and no library beyond the JDK
 * (an architecture test keeps it so): a worker starts well within a second and costs a few tens
 * of MiB.
 */
package io.taskpool.worker.runtime;
