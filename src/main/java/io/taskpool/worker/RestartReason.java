package io.taskpool.worker;

import java.util.Locale;

/**
 * Why a worker process was replaced: the {@code reason} tag of {@code taskpool.workers.restarts}
 * and the keys of {@code restartsByReason} in {@code GET /api/v1/workers}, in lower case
 * (docs/operations.md, "Restart reasons").
 */
enum RestartReason {
    /** It exited on its own, or was killed from outside (the warm spare too). */
    CRASH,
    /** It ran out of heap. */
    OUT_OF_MEMORY,
    /** It wrote something that is not a frame, and was killed. */
    PROTOCOL_ERROR,
    /** Its task ran past its timeout, and it was killed. */
    TIMEOUT,
    /** Its task was cancelled and did not stop within the grace period, so it was killed. */
    CANCEL,
    /** It sent no heartbeat for {@code taskpool.workers.heartbeat-timeout}, and was killed. */
    UNRESPONSIVE,
    /** It ran {@code taskpool.workers.max-tasks-per-worker} tasks and was replaced by a fresh one. */
    RECYCLE,
    /** A rolling restart (POST /api/v1/workers/restart) replaced it. */
    RESTART,
    /** A new process could not be launched or did not say hello in time. */
    START_FAILURE,
    /** The service is stopping: nothing replaces it, and nothing is counted. */
    SHUTDOWN;

    /** The name clients and dashboards see. */
    String tag() {
        return name().toLowerCase(Locale.ROOT);
    }

    static RestartReason ofExit(boolean outOfMemory) {
        return outOfMemory ? OUT_OF_MEMORY : CRASH;
    }
}
