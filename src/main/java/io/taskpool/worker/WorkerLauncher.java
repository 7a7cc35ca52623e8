package io.taskpool.worker;

import io.taskpool.worker.runtime.WorkerMain;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Starts worker JVMs: same {@code java.home} as the service, a small heap of their own, and
 * options that keep stdout free for frames. Never through a shell.
 */
final class WorkerLauncher {

    /**
     * Variables the worker must not inherit: memory flags meant for the service (in
     * {@code JAVA_TOOL_OPTIONS} they would give every worker the service's heap).
     */
    private static final List<String> SERVICE_ONLY_VARIABLES = List.of("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS",
            "_JAVA_OPTIONS");

    private final WorkerProperties properties;
    private final WorkerClassPath classPath;
    private final int maxFrameBytes;
    private final long maxResultBytes;
    private final List<String> command;

    WorkerLauncher(WorkerProperties properties, WorkerClassPath classPath, int maxFrameBytes, long maxResultBytes) {
        this.properties = properties;
        this.classPath = classPath;
        this.maxFrameBytes = maxFrameBytes;
        this.maxResultBytes = maxResultBytes;
        this.command = List.copyOf(buildCommand());
    }

    /** Where a worker JVM that crashed natively left its fatal error report, if it did. */
    static Path fatalErrorReport(long pid) {
        return Path.of(System.getProperty("java.io.tmpdir"), "taskpool-worker-hs_err_pid" + pid + ".log");
    }

    List<String> command() {
        return command;
    }

    Process start() throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command);
        Map<String, String> environment = builder.environment();
        SERVICE_ONLY_VARIABLES.forEach(environment::remove);
        return builder.start();
    }

    private List<String> buildCommand() {
        List<String> args = new ArrayList<>();
        args.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        args.add("-Xmx" + properties.maxHeap().toMegabytes() + "m");
        // Exit with status 3 on the first OutOfMemoryError: the parent reports OUT_OF_MEMORY
        // instead of a half-broken JVM carrying on.
        args.add("-XX:+ExitOnOutOfMemoryError");
        // The JVM prints some messages (the OOM exit among them) to stdout by default; stdout
        // belongs to frames.
        args.add("-XX:+DisplayVMOutputToStderr");
        args.add("-Xlog:disable");
        args.add("-Xlog:all=warning:stderr");
        // A native crash (a JNI library, say) leaves its report in the temporary directory, not in
        // the service's working directory, and no core dump the size of the heap.
        args.add("-XX:ErrorFile=" + Path.of(System.getProperty("java.io.tmpdir"), "taskpool-worker-hs_err_pid%p.log"));
        args.add("-XX:-CreateCoredumpOnCrash");
        // A few MiB less per worker than G1 for small heaps; workers run one task at a time.
        args.add("-XX:+UseSerialGC");
        // No hsperfdata file per worker in /tmp: a little faster to start, and fine on a read-only /tmp.
        args.add("-XX:-UsePerfData");
        args.add("-Dfile.encoding=UTF-8");
        args.addAll(properties.jvmOptions());
        args.add("-cp");
        args.add(classPath.asArgument());
        args.add(WorkerMain.class.getName());
        args.add(Integer.toString(maxFrameBytes));
        args.add(Long.toString(properties.heartbeatInterval().toMillis()));
        args.add(Long.toString(maxResultBytes));
        return args;
    }
}
