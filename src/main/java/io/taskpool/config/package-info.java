/**
 * Cross-package wiring: {@link io.taskpool.config.TaskpoolProperties}, the one tree of
 * {@code taskpool.*} settings, and the beans that connect the task service to the worker pool.
 */
package io.taskpool.config;
