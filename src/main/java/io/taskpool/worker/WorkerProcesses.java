package io.taskpool.worker;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/** Starts the supervisor's worker processes and cleans up after them. */
interface WorkerProcesses {

    /** Starts a worker for {@code slot}; its frames, broken stream and exit are posted to {@code events}. */
    RunningWorker start(int slot, long generation, Consumer<PoolEvent> events) throws IOException;

    /**
     * After a worker's exit, however it died: kills what it started and what outlived it, which
     * killing it from outside leaves behind as orphans.
     */
    void killLeftoversOf(RunningWorker worker);

    /** The report the worker's JVM wrote if it crashed natively. */
    Optional<Path> crashReport(RunningWorker worker);

    /** The command a worker starts with now, for the log. */
    List<String> command();

    /** Stops what cleans up after workers; called once, when the pool has stopped. */
    void close();
}
