package io.taskpool.worker;

import io.taskpool.worker.protocol.Frame;
import io.taskpool.worker.protocol.ProtocolException;

/**
 * A started worker process as the supervisor sees it: frames go in, and its frames and its exit
 * come back as {@link PoolEvent}s. {@link WorkerProcess} is the real one; tests drive the
 * supervisor with stand-ins that start nothing.
 */
interface RunningWorker {

    long pid();

    /** Tells this process from the ones before and after it in the same slot. */
    long generation();

    /**
     * Queues a frame for the worker, in order. Throws at once only if the frame cannot be
     * encoded (too large); a failed write means the worker is dying, and its exit event follows.
     */
    void send(Frame frame) throws ProtocolException;

    /** Kills the worker and every process it started, at once; its exit event follows. */
    void killTree();

    /** How long the frame this worker is writing has been unfinished at {@code now}; 0 between frames. */
    long unfinishedFrameFor(long now);
}
