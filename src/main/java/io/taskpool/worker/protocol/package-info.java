/**
 * The wire protocol between the service and its worker processes: {@link
 * io.taskpool.worker.protocol.Frame} lists every message, {@link
 * io.taskpool.worker.protocol.FrameCodec} puts them on the wire. JDK-only, because the worker
 * side loads it too. Documented in {@code docs/worker-protocol.md}.
 */
package io.taskpool.worker.protocol;
