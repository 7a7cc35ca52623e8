package io.taskpool.worker;

import io.taskpool.worker.runtime.WorkerMain;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * Starts worker JVMs: same {@code java.home} as the service, a small heap of their own, and
 * options that keep stdout free for frames. Never through a shell.
 *
 * <p>A worker gets none of the service's secrets: its environment holds only the allowed
 * variables ({@link WorkerEnvironment}), and its command line names only JVM options, the class
 * path and the protocol's limits, never the service's configuration. With
 * {@code taskpool.workers.limits} set, it starts under util-linux {@code prlimit}, which sets the
 * limits on itself and then executes the JVM in its place (same pid), so the limits hold for the
 * worker and everything it starts.
 *
 * <p>The program task types ({@code taskpool.programs}) reach the workers as one JSON file,
 * written once here, readable by the service's user only, and named by the worker's fourth
 * argument: never on a command line, where any user of the machine could read the variables
 * configured for a program.
 */
final class WorkerLauncher {

    private static final Logger log = LoggerFactory.getLogger(WorkerLauncher.class);

    /** Where Debian, Ubuntu and most Linux distributions install util-linux's prlimit. */
    private static final List<Path> PRLIMIT_LOCATIONS = List.of(Path.of("/usr/bin/prlimit"), Path.of("/bin/prlimit"));

    /** The first heap of a worker; taskpool.workers.max-heap is at least this. */
    private static final int INITIAL_HEAP_MEGABYTES = 16;

    private final WorkerProperties properties;
    private final WorkerClassPath classPath;
    private final int maxFrameBytes;
    private final long maxResultBytes;
    private final Path programsFile;
    /** The prlimit to start workers under, or null: no limits are set, or they cannot be enforced here. */
    private final Path prlimit;

    WorkerLauncher(WorkerProperties properties, Map<String, ProgramProperties> programs, WorkerClassPath classPath,
            int maxFrameBytes, long maxResultBytes) {
        this.properties = properties;
        this.classPath = classPath;
        this.maxFrameBytes = maxFrameBytes;
        this.maxResultBytes = maxResultBytes;
        this.programsFile = programs.isEmpty() ? null : writeProgramsFile(programs);
        this.prlimit = properties.limits().any() ? prlimitFor(properties.limits()) : null;
    }

    private static Path prlimitFor(WorkerLimits limits) {
        boolean linux = System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux");
        Path found = linux ? PRLIMIT_LOCATIONS.stream().filter(Files::isExecutable).findFirst().orElse(null) : null;
        if (found == null) {
            log.warn("taskpool.workers.limits ({}) cannot be enforced: {}; workers and their programs start with the"
                    + " service's own limits", limits, linux ? "util-linux prlimit is not installed in /usr/bin or /bin"
                            : "resource limits are applied on Linux only");
        }
        return found;
    }

    /** Where a worker JVM that crashed natively left its fatal error report, if it did. */
    static Path fatalErrorReport(long pid) {
        return Path.of(System.getProperty("java.io.tmpdir"), "taskpool-worker-hs_err_pid" + pid + ".log");
    }

    /** The command a worker starts with now; the plug-in jars are read anew each time. */
    List<String> command() {
        return buildCommand();
    }

    /** Starts a worker whose processes carry {@code token} (see {@link LeftoverProcesses}). */
    Process start(String token) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(buildCommand());
        Map<String, String> environment = builder.environment();
        environment.clear();
        environment.putAll(WorkerEnvironment.forWorker(System.getenv(), properties.inheritedEnvironment()));
        environment.put(LeftoverProcesses.VARIABLE, token);
        return builder.start();
    }

    private List<String> buildCommand() {
        List<String> args = new ArrayList<>();
        if (prlimit != null) {
            args.add(prlimit.toString());
            args.addAll(properties.limits().prlimitOptions());
            args.add("--");
        }
        args.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        args.add("-Xmx" + properties.maxHeap().toMegabytes() + "m");
        // A small first heap that grows when a task needs more. The JVM's default, a 64th of the
        // machine's memory, gave each worker a young generation of tens of MiB that every task's
        // garbage touched page by page until the first collection: a worker that had run twenty
        // sha256 tasks on 100 kB texts stayed resident at 60 MiB, against 49 MiB with this.
        args.add("-Xms" + INITIAL_HEAP_MEGABYTES + "m");
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
        if (programsFile != null) {
            args.add(programsFile.toString());
        }
        return args;
    }

    /**
     * Writes what the workers need to know of each program: type, description, argv, working
     * directory, variables and input schema, which the workers announce with the type in their
     * hello (timeouts stay with the service). The file lives in a
     * directory of its own, owner-only, and is removed when the service's JVM exits.
     */
    private static Path writeProgramsFile(Map<String, ProgramProperties> programs) {
        Map<String, Object> specs = new LinkedHashMap<>();
        programs.forEach((type, program) -> {
            Path workingDir = program.workingDir() == null ? null : checkedWorkingDir(type, program.workingDir());
            Map<String, Object> spec = new LinkedHashMap<>();
            spec.put("description", program.effectiveDescription());
            spec.put("argv", resolvedArgv(type, program.argv(), workingDir));
            spec.put("workingDir", workingDir == null ? null : workingDir.toString());
            spec.put("env", program.env());
            spec.put("inputSchema", program.inputSchema());
            specs.put(type, spec);
        });
        try {
            Path directory = Files.createTempDirectory("taskpool-programs-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            directory.toFile().deleteOnExit(); // registered first, so deleted after the file
            Path file = directory.resolve("programs.json");
            Files.writeString(file, JsonMapper.shared().writeValueAsString(specs));
            file.toFile().deleteOnExit();
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("r--------"));
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the program task types for the workers", e);
        }
    }

    private static Path checkedWorkingDir(String type, Path configured) {
        Path workingDir = configured.toAbsolutePath().normalize();
        if (!Files.isDirectory(workingDir)) {
            throw new IllegalStateException("taskpool.programs." + type + ".working-dir " + workingDir
                    + " is not a directory");
        }
        return workingDir;
    }

    /**
     * The argv a worker starts. A program without a working directory of its own runs in a fresh
     * temporary directory, where a relative path such as {@code examples/python/wordfreq.py}
     * would not be found: such a path (one with a separator, naming an existing file relative to
     * the service's working directory) is made absolute here. Anything else stays exactly as
     * configured.
     */
    private static List<String> resolvedArgv(String type, List<String> argv, Path workingDir) {
        Path base = workingDir != null ? workingDir : Path.of("").toAbsolutePath();
        List<String> resolved = new ArrayList<>(argv.size());
        for (String arg : argv) {
            boolean relativePath = arg.indexOf(File.separatorChar) > 0 && !arg.startsWith("-")
                    && !Path.of(arg).isAbsolute();
            if (relativePath && workingDir == null && Files.exists(base.resolve(arg))) {
                resolved.add(base.resolve(arg).normalize().toString());
            } else {
                resolved.add(arg);
            }
        }
        String program = resolved.get(0);
        if (program.indexOf(File.separatorChar) >= 0) {
            if (!Files.isExecutable(base.resolve(program))) {
                throw new IllegalStateException("taskpool.programs." + type + ".argv[0]: " + base.resolve(program)
                        + " is not an executable file");
            }
        } else if (!onPath(program)) {
            log.warn("taskpool.programs.{}: '{}' is not on the service's PATH; tasks of type {} will fail until it is",
                    type, program, type);
        }
        return resolved;
    }

    private static boolean onPath(String program) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String directory : path.split(File.pathSeparator)) {
            if (!directory.isEmpty() && Files.isExecutable(Path.of(directory, program))) {
                return true;
            }
        }
        return false;
    }
}
