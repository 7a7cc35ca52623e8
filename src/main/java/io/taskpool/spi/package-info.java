/**
 * The public extension point: a {@link io.taskpool.spi.TaskHandler} adds a task type, found with
 * {@link java.util.ServiceLoader} on the worker's class path. JDK types only, so a handler jar
 * needs nothing from taskpool but this package.
 */
package io.taskpool.spi;
