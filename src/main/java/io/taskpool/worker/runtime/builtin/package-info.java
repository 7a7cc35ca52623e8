/**
 * The task types every worker ships with, registered in
 * {@code META-INF/services/io.taskpool.spi.TaskHandler} like any third-party handler: {@code noop}
 * and {@code sleep} measure the pool itself (per-task overhead, cancellation, timeouts), while
 * {@code primes.count}, {@code pi.montecarlo} and {@code hash.sha256} are CPU-bound computations
 * with exactly known answers, which makes them demos and end-to-end test fixtures at once. Each
 * checks {@link io.taskpool.spi.TaskContext#isCancelled()} at a bounded interval and reports
 * progress cheaply; none keeps state between tasks.
 */
package io.taskpool.worker.runtime.builtin;
