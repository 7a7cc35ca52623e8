package io.taskpool.worker.runtime;

import io.taskpool.spi.TaskContext;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * One run of a program for one task: starts it with a scrubbed environment in its own working
 * directory, feeds it the input, collects its stdout (bounded) and stderr (progress and log
 * lines), and makes sure that neither the program nor anything it started outlives the run.
 *
 * <p>Threads: the task thread waits for the program and kills it on cancel; {@code program-stdin}
 * writes the input (a program that never reads it must not block the task thread, which a
 * cancel could then not reach), {@code program-stdout} and {@code program-stderr} drain the
 * pipes, so that a program never blocks on a full pipe.
 */
final class ProgramRun {

    /** The variables a program gets from the worker's environment; nothing else is inherited. */
    static final List<String> INHERITED_VARIABLES = List.of("PATH", "HOME", "LANG");
    static final String TASK_ID_VARIABLE = "TASKPOOL_TASK_ID";
    /** The same name as the service's {@code LeftoverProcesses.VARIABLE}; this side knows none of the service. */
    static final String WORKER_TOKEN_VARIABLE = "TASKPOOL_WORKER_TOKEN";

    /**
     * Between SIGTERM and SIGKILL. A trade-off: long enough for a program to exit cleanly on
     * SIGTERM (most do at once), well below the service's default cancel grace (1 s), so that a
     * program ignoring SIGTERM is killed by the worker, which then stays in the pool.
     */
    static final long STOP_GRACE_MILLIS = 250;
    /**
     * How often the task thread looks for new descendants (each look reads /proc): every 5 ms
     * at first, doubling up to 100 ms, so that the children of a short program are seen too.
     */
    private static final long FIRST_WATCH_MILLIS = 5;
    private static final long WATCH_INTERVAL_MILLIS = 100;
    /** How long the pipes may take to reach end of file once the program and its processes are gone. */
    private static final long DRAIN_MILLIS = 2_000;
    /** Stderr lines kept to explain a failure, each cut to {@link #MAX_TAIL_LINE_CHARS}. */
    private static final int TAIL_LINES = 20;
    private static final int MAX_TAIL_LINE_CHARS = 500;
    /** Longer stderr lines are split, so that output without line breaks cannot fill the heap. */
    static final int MAX_LINE_CHARS = 8_192;

    private final ProgramSpec spec;
    private final long maxResultBytes;
    private final Consumer<String> log;
    private final Set<ProcessHandle> seen = new LinkedHashSet<>();
    private final Deque<String> stderrTail = new ArrayDeque<>();
    private volatile boolean outputTooLarge;
    /** Set when the run ends: a late stderr line must not send progress for a task that has ended. */
    private boolean ended;

    ProgramRun(ProgramSpec spec, long maxResultBytes, Consumer<String> log) {
        this.spec = spec;
        this.maxResultBytes = maxResultBytes;
        this.log = log;
    }

    /**
     * Runs the program and returns its result: its stdout as parsed JSON, or
     * {@code {"stdout": text}} when that is not JSON.
     *
     * @throws ReportedFailure when the program exits with a non-zero status or writes more than
     *     the result limit
     * @throws InterruptedException when the task is cancelled; the program is gone by then
     */
    Object run(String inputJson, TaskContext context) throws Exception {
        if (context.isCancelled()) {
            throw new CancellationException("cancelled before the program started");
        }
        Path temporaryDir = spec.workingDir() == null ? Files.createTempDirectory("taskpool-task-") : null;
        Process process = null;
        try {
            process = start(temporaryDir != null ? temporaryDir : spec.workingDir(), context.taskId());
            Process started = process;
            Thread stdin = daemon("program-stdin", () -> writeInput(started, inputJson));
            ByteArrayOutputStream stdout = new ByteArrayOutputStream();
            Thread stdoutReader = daemon("program-stdout", () -> readStdout(started, stdout));
            Thread stderrReader = daemon("program-stderr", () -> readStderr(started, context));
            Stream.of(stdin, stdoutReader, stderrReader).forEach(Thread::start);

            int exitCode = awaitExit(process);
            // Whatever the program started and left running goes with it: nothing a task starts
            // may outlive the task. Only then can the pipes that such a process held reach their end.
            stopTree(process);
            stdoutReader.join(DRAIN_MILLIS);
            stderrReader.join(DRAIN_MILLIS);
            return outcome(exitCode, stdout);
        } finally {
            synchronized (this) {
                ended = true;
            }
            if (process != null) {
                stopTree(process);
            }
            if (temporaryDir != null) {
                deleteTree(temporaryDir);
            }
        }
    }

    private Process start(Path workingDir, String taskId) throws ReportedFailure {
        ProcessBuilder builder = new ProcessBuilder(spec.argv()).directory(workingDir.toFile());
        Map<String, String> environment = builder.environment();
        environment.clear();
        for (String name : INHERITED_VARIABLES) {
            String value = System.getenv(name);
            if (value != null) {
                environment.put(name, value);
            }
        }
        environment.putAll(spec.env());
        environment.put(TASK_ID_VARIABLE, taskId);
        // The worker's mark: should the worker be killed from outside, the service finds the program by it.
        String workerToken = System.getenv(WORKER_TOKEN_VARIABLE);
        if (workerToken != null) {
            environment.put(WORKER_TOKEN_VARIABLE, workerToken);
        }
        try {
            return builder.start();
        } catch (IOException e) {
            // The JDK's message names the program, the directory and why ("error=2, No such file...").
            throw ReportedFailure.programFailed(
                    "program " + spec.type() + " could not be started: " + e.getMessage());
        }
    }

    /** Waits for the program's exit, noting its descendants on the way (see {@link #stopTree}). */
    private int awaitExit(Process process) throws InterruptedException {
        long wait = FIRST_WATCH_MILLIS;
        while (!process.waitFor(wait, TimeUnit.MILLISECONDS)) {
            if (outputTooLarge) {
                stopTree(process);
            } else {
                process.descendants().forEach(seen::add);
            }
            wait = Math.min(wait * 2, WATCH_INTERVAL_MILLIS);
        }
        return process.exitValue();
    }

    private Object outcome(int exitCode, ByteArrayOutputStream stdout) throws ReportedFailure {
        if (outputTooLarge) {
            throw ReportedFailure.resultTooLarge("program " + spec.type() + " wrote more than the limit of "
                    + maxResultBytes + " bytes (taskpool.tasks.max-result) to stdout and was stopped");
        }
        if (exitCode != 0) {
            String tail = stderrTail();
            throw ReportedFailure.programFailed("program " + spec.type() + " exited with code " + exitCode
                    + signal(exitCode)
                    + (tail.isEmpty() ? "; it wrote nothing to stderr" : "; last stderr lines:\n" + tail));
        }
        String text = stdout.toString(StandardCharsets.UTF_8);
        try {
            return Json.parse(text);
        } catch (IllegalArgumentException notJson) {
            Map<String, Object> wrapped = new LinkedHashMap<>();
            wrapped.put("stdout", text);
            return wrapped;
        }
    }

    /** Java reports a death by signal N as exit code 128 + N. */
    private static String signal(int exitCode) {
        return exitCode > 128 && exitCode < 160 ? " (killed by signal " + (exitCode - 128) + "?)" : "";
    }

    // ---- stopping ----

    /**
     * Stops the program and every process below it: SIGTERM to all, {@link #STOP_GRACE_MILLIS} to
     * exit, then SIGKILL to what is left. The tree is listed before anything is signalled (a
     * child whose parent died is adopted elsewhere and no longer shows as a descendant), together
     * with the descendants seen while the program ran, which catches those already orphaned.
     * A process that detached itself between two looks (a daemon forking twice within 100 ms)
     * can still escape; ending its session would take a system call the JDK does not offer.
     */
    private void stopTree(Process process) {
        List<ProcessHandle> tree = tree(process);
        if (tree.stream().noneMatch(ProcessHandle::isAlive)) {
            return;
        }
        tree.forEach(ProcessHandle::destroy);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(STOP_GRACE_MILLIS);
        boolean interrupted = false;
        for (ProcessHandle handle : tree) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            try {
                handle.onExit().get(left, TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                interrupted = true; // a cancel while we stop anyway: go straight to SIGKILL
                break;
            } catch (Exception stillRunning) {
                break;
            }
        }
        tree(process).forEach(ProcessHandle::destroyForcibly); // listed again: it may have forked meanwhile
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Descendants first, deepest last-seen first, the program itself last. */
    private List<ProcessHandle> tree(Process process) {
        Set<ProcessHandle> all = new LinkedHashSet<>();
        process.descendants().forEach(all::add);
        all.addAll(seen);
        seen.addAll(all);
        List<ProcessHandle> tree = new ArrayList<>(all);
        tree.add(process.toHandle());
        return tree;
    }

    // ---- the three pipes ----

    private static void writeInput(Process process, String inputJson) {
        try (OutputStream in = process.getOutputStream()) {
            in.write(inputJson.getBytes(StandardCharsets.UTF_8));
        } catch (IOException programClosedItsStdin) {
            // A program may ignore its input and exit without reading it: a broken pipe, not an error.
        }
    }

    /** Keeps up to {@code maxResultBytes + 1} bytes: one more than the limit proves it exceeded. */
    private void readStdout(Process process, ByteArrayOutputStream stdout) {
        byte[] buffer = new byte[8192];
        try (InputStream out = process.getInputStream()) {
            int n;
            while ((n = out.read(buffer)) >= 0) {
                long room = maxResultBytes + 1 - stdout.size();
                stdout.write(buffer, 0, (int) Math.min(n, room));
                if (stdout.size() > maxResultBytes) {
                    outputTooLarge = true;
                    return; // the task thread stops the program within WATCH_INTERVAL_MILLIS
                }
            }
        } catch (IOException e) {
            // The program is gone; what was read is all there is.
        }
    }

    private void readStderr(Process process, TaskContext context) {
        try (Reader err = new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8)) {
            StringBuilder line = new StringBuilder();
            int c;
            while ((c = err.read()) >= 0) {
                if (c == '\n') {
                    stderrLine(stripCarriageReturn(line), context);
                    line.setLength(0);
                } else {
                    line.append((char) c);
                    if (line.length() >= MAX_LINE_CHARS) {
                        stderrLine(line.toString(), context);
                        line.setLength(0);
                    }
                }
            }
            if (line.length() > 0) {
                stderrLine(stripCarriageReturn(line), context);
            }
        } catch (IOException e) {
            // The program is gone.
        }
    }

    private static String stripCarriageReturn(StringBuilder line) {
        int end = line.length() > 0 && line.charAt(line.length() - 1) == '\r' ? line.length() - 1 : line.length();
        return line.substring(0, end);
    }

    private void stderrLine(String line, TaskContext context) {
        ProgressLine progress = ProgressLine.parse(line);
        if (progress != null) {
            synchronized (this) {
                if (!ended) {
                    context.progress(progress.fraction(), progress.message());
                }
            }
            return;
        }
        synchronized (stderrTail) {
            if (stderrTail.size() == TAIL_LINES) {
                stderrTail.removeFirst();
            }
            stderrTail.addLast(
                    line.length() <= MAX_TAIL_LINE_CHARS ? line : line.substring(0, MAX_TAIL_LINE_CHARS) + "...");
        }
        log.accept(line);
    }

    private String stderrTail() {
        synchronized (stderrTail) {
            return String.join("\n", stderrTail);
        }
    }

    private static Thread daemon(String name, Runnable body) {
        Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        return thread;
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            System.err.println("worker: could not remove the task directory " + root + ": " + e.getMessage());
        }
    }
}
