package io.taskpool.worker;

import io.taskpool.worker.protocol.FrameCodec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/** Worker JVMs, started by the {@link WorkerLauncher}, each process tree marked for the clean-up. */
final class JvmWorkers implements WorkerProcesses {

    private final WorkerLauncher launcher;
    private final FrameCodec codec;
    private final LeftoverProcesses leftovers = new LeftoverProcesses();

    JvmWorkers(WorkerLauncher launcher, FrameCodec codec) {
        this.launcher = launcher;
        this.codec = codec;
    }

    @Override
    public RunningWorker start(int slot, long generation, Consumer<PoolEvent> events) throws IOException {
        return WorkerProcess.start(launcher, slot, generation, codec, events);
    }

    @Override
    public void killLeftoversOf(RunningWorker worker) {
        // Every worker the supervisor holds was started here.
        leftovers.killMarkedWith(((WorkerProcess) worker).token());
    }

    @Override
    public Optional<Path> crashReport(RunningWorker worker) {
        Path report = WorkerLauncher.fatalErrorReport(worker.pid());
        return Files.exists(report) ? Optional.of(report) : Optional.empty();
    }

    @Override
    public List<String> command() {
        return launcher.command();
    }

    @Override
    public void close() {
        leftovers.close();
    }
}
