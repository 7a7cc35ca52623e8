package io.taskpool.worker;

import io.taskpool.task.WorkerState;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replaces every worker with a fresh process, one slot at a time, so queued work keeps running:
 * an idle worker is stopped at once, a busy one when its current work is done, and the next slot
 * waits until the new process in the last one has said hello. Used by the supervisor thread only.
 */
final class RollingRestart {

    private static final Logger log = LoggerFactory.getLogger(RollingRestart.class);

    /** Slots still to be replaced, in order. */
    private final Deque<WorkerSlot> queue = new ArrayDeque<>();
    /** The slot being replaced now, or null. */
    private WorkerSlot replacing;
    /** The generation of the process being replaced in {@link #replacing}. */
    private long replacingGeneration;

    /**
     * Queues every slot for replacement. A slot already queued stays once in the queue; the one
     * being replaced now is queued again, since its new process may have started before the request.
     */
    void request(List<WorkerSlot> slots) {
        for (WorkerSlot slot : slots) {
            if (!queue.contains(slot)) {
                queue.add(slot);
            }
        }
        log.info("Rolling restart of {} workers requested; replacing them one at a time, busy ones after their"
                + " current work", queue.size());
    }

    /** Whether this slot's process is the one to stop as soon as it has no work. */
    boolean isDue(WorkerSlot slot) {
        return slot == replacing && slot.process != null && slot.process.generation() == replacingGeneration;
    }

    /**
     * Moves the restart on: once the slot being replaced has a new process that said hello, the
     * next queued slot is stopped through {@code stop} (at once if idle; if busy, the supervisor
     * stops it when its work is done, see {@link #isDue}). A slot without a process, or stopping
     * anyway, gets a new process by itself and is skipped.
     */
    void advance(Consumer<WorkerSlot> stop) {
        if (replacing != null) {
            boolean replaced = replacing.process != null && replacing.process.generation() != replacingGeneration
                    && replacing.isUp();
            if (!replaced) {
                return;
            }
            replacing = null;
            if (queue.isEmpty()) {
                log.info("Rolling restart complete: every worker has been replaced");
            }
        }
        while (replacing == null && !queue.isEmpty()) {
            WorkerSlot slot = queue.poll();
            if (slot.process == null || slot.state == WorkerState.STOPPING) {
                continue;
            }
            replacing = slot;
            replacingGeneration = slot.process.generation();
            if (slot.state == WorkerState.IDLE) {
                stop.accept(slot);
            } else {
                // BUSY: it finishes its current task or chunk, then the supervisor stops it.
                // STARTING: once it has said hello, the supervisor stops it like an idle one.
                log.info("worker-{} will be restarted when its current work is done", slot.id);
            }
        }
    }

    /** The service is stopping: nothing more is replaced. */
    void cancel() {
        queue.clear();
        replacing = null;
    }
}
