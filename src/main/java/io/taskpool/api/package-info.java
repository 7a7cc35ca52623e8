/**
 * The HTTP surface under {@code /api/v1}: controllers, request and response records, and
 * {@code ApiErrors}, the one place that turns exceptions into problem details. Calls the task
 * service; reads the worker pool's status for {@code /api/v1/workers} through the task package's
 * {@code WorkerGateway}; streams task events as server-sent events ({@code EventController}).
 * Knows only the task package of ours (ArchitectureTest): its settings come as beans of their own.
 */
package io.taskpool.api;
