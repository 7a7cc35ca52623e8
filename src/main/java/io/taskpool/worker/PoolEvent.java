package io.taskpool.worker;

import io.taskpool.task.Task;
import io.taskpool.worker.protocol.Frame;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * What happens to the pool, posted by any thread and handled in order by the supervisor thread,
 * the only one that touches worker state. {@code generation} tells a worker process from the one
 * that replaced it in the same slot, so late events of a dead process are dropped.
 */
sealed interface PoolEvent {

    /** The dispatcher claimed work for one worker: a task, or a chunk of a batch's items in order. */
    record Assign(List<Task> tasks) implements PoolEvent {}

    /** A worker sent a frame. */
    record FrameReceived(int slot, long generation, Frame frame) implements PoolEvent {}

    /** A worker wrote something that is not a frame. */
    record StreamBroken(int slot, long generation, String reason) implements PoolEvent {}

    /** A worker process is gone; posted after its last frame. */
    record ProcessExited(int slot, long generation, int exitCode, String stderrTail) implements PoolEvent {}

    /** A client cancelled a task that may be running here. */
    record CancelRequested(UUID taskId) implements PoolEvent {}

    /**
     * Replace every worker, one at a time, with a fresh process (which sees the plug-in jars as
     * they are now); an idle worker goes at once, a busy one after its current work.
     */
    record RestartRequested() implements PoolEvent {}

    /** The service is stopping; complete {@code done} when every worker is gone. */
    record Stop(CompletableFuture<Void> done) implements PoolEvent {}
}
