package io.taskpool.task;

import java.util.List;
import java.util.UUID;

/** What the rest of the service needs from whatever runs tasks (the worker pool). */
public interface WorkerGateway {

    /** A task was queued: claim it if a worker is free. */
    void taskQueued();

    /** Stop the running task {@code id} if it runs here: cancel frame, grace, then kill. */
    void cancelRunning(UUID id);

    /** The task types the workers announced; empty until the first worker has started. */
    List<TaskType> taskTypes();

    /** How many tasks can run at once (the pool's size); sizes automatic batch chunks. */
    int capacity();

    /** The pool as its supervisor last published it. */
    PoolStatus status();

    /**
     * Starts a rolling restart and returns at once: every worker is replaced, busy ones once
     * their task or chunk is done, so that new plug-in jars are loaded and queued work keeps
     * running.
     */
    void restart();
}
