package io.taskpool.task;

/** A worker slot as {@code GET /api/v1/workers} shows it. */
public enum WorkerState {
    /** A process is starting (or waiting to be restarted after failed starts). */
    STARTING,
    /** Ready for a task. */
    IDLE,
    /** Running a task. */
    BUSY,
    /** Being recycled, killed or shut down; a replacement follows unless the service stops. */
    STOPPING
}
