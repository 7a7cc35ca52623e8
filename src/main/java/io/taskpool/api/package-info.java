/**
 * The HTTP surface under {@code /api/v1}: controllers, request and response records, and
 * {@code ApiErrors}, the one place that turns exceptions into problem details. Calls the task
 * service; reads the worker pool's status for {@code /api/v1/workers}; streams task events as
 * server-sent events ({@code EventController}).
 */
package io.taskpool.api;
