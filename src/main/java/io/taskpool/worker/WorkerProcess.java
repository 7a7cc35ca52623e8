package io.taskpool.worker;

import io.taskpool.worker.protocol.Frame;
import io.taskpool.worker.protocol.FrameCodec;
import io.taskpool.worker.protocol.ProtocolException;
import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running worker JVM and the two threads that drain it: {@code worker-N-stdout} decodes
 * frames, {@code worker-N-stderr} copies lines to the service log. Both only post events; the
 * supervisor decides. The stdout thread posts {@link PoolEvent.ProcessExited} after the last
 * frame, so a result written just before exiting is never mistaken for a crash.
 */
final class WorkerProcess implements RunningWorker {

    private static final Logger log = LoggerFactory.getLogger("io.taskpool.worker.output");
    /** Lines per second a worker may log before the rest of that second is dropped. */
    private static final int STDERR_LINES_PER_SECOND = 200;
    /** Longer stderr lines are split; StderrTail keeps even less of each. */
    private static final int MAX_LINE_CHARS = 8 * 1024;

    private final int slot;
    private final long generation;
    private final String token;
    private final Process process;
    private final FrameCodec codec;
    private final OutputStream stdin;
    private final StderrTail stderrTail = new StderrTail();
    private final FrameStartWatch frames;
    private final Thread stderrThread;
    /**
     * Frames go to stdin from a thread of their own: a frozen worker with a full pipe must block
     * that thread, never the supervisor (which would stop enforcing every deadline in the pool).
     */
    private final ExecutorService stdinWriter;

    private WorkerProcess(int slot, long generation, String token, Process process, FrameCodec codec) {
        this.slot = slot;
        this.generation = generation;
        this.token = token;
        this.process = process;
        this.codec = codec;
        this.stdin = process.getOutputStream();
        this.frames = new FrameStartWatch(new BufferedInputStream(process.getInputStream(), 1 << 16));
        this.stderrThread = new Thread(this::drainStderr, "worker-" + slot + "-stderr");
        this.stdinWriter = Executors.newSingleThreadExecutor(runnable -> {
            Thread thread = new Thread(runnable, "worker-" + slot + "-stdin");
            thread.setDaemon(true);
            return thread;
        });
    }

    static WorkerProcess start(WorkerLauncher launcher, int slot, long generation, FrameCodec codec,
            Consumer<PoolEvent> events) throws IOException {
        String token = UUID.randomUUID().toString();
        WorkerProcess worker = new WorkerProcess(slot, generation, token, launcher.start(token), codec);
        worker.stderrThread.setDaemon(true);
        worker.stderrThread.start();
        Thread stdout = new Thread(() -> worker.readFrames(events), "worker-" + slot + "-stdout");
        stdout.setDaemon(true);
        stdout.start();
        return worker;
    }

    @Override
    public long pid() {
        return process.pid();
    }

    @Override
    public long generation() {
        return generation;
    }

    /** What marks this worker's processes and their descendants' ({@link LeftoverProcesses}). */
    String token() {
        return token;
    }

    /**
     * Queues a frame for the worker's stdin, in order. Throws at once only if the frame cannot be
     * encoded (too large); a failed write means the worker is dying, and its exit event follows.
     */
    @Override
    public void send(Frame frame) throws ProtocolException {
        byte[] bytes = codec.encode(frame);
        stdinWriter.execute(() -> {
            try {
                stdin.write(bytes);
                stdin.flush();
            } catch (IOException dying) {
                log.debug("worker-{} no longer reads its stdin: {}", slot, dying.getMessage());
            }
        });
    }

    /**
     * Kills the worker and every process it started, at once (SIGKILL): used when a task must
     * stop now (timeout, cancel past its grace, protocol error, no heartbeat).
     */
    @Override
    public void killTree() {
        // Descendants first: once the worker is dead its children are re-parented and lost to us.
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        stdinWriter.shutdownNow();
    }

    /** How long the frame this worker is writing has been unfinished at {@code now}; 0 between frames. */
    @Override
    public long unfinishedFrameFor(long now) {
        return frames.unfinishedFor(now);
    }

    private void readFrames(Consumer<PoolEvent> events) {
        try {
            while (true) {
                Frame frame = codec.read(frames);
                frames.frameEnded();
                events.accept(new PoolEvent.FrameReceived(slot, generation, frame));
            }
        } catch (EOFException endOfStream) {
            // normal: the process closed stdout, it is exiting
        } catch (ProtocolException e) {
            events.accept(new PoolEvent.StreamBroken(slot, generation, e.getMessage()));
        } catch (IOException e) {
            // The JDK closes a dead process's pipe under a blocked reader ("Stream closed"): that is
            // the end of the stream, and the exit status below says what happened.
            log.debug("worker-{} stdout closed: {}", slot, e.getMessage());
        }
        int exitCode = awaitExit();
        stdinWriter.shutdownNow();
        events.accept(new PoolEvent.ProcessExited(slot, generation, exitCode, stderrTail.text()));
    }

    private int awaitExit() {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    int exitCode = process.waitFor();
                    // Let the stderr thread catch up, so the tail holds the last words.
                    stderrThread.join(TimeUnit.MILLISECONDS.toMillis(500));
                    return exitCode;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * The next line, cut into pieces of at most {@link #MAX_LINE_CHARS}: a task that prints
     * without ever writing a newline must not grow one string until the service runs out of heap.
     */
    private static String readBoundedLine(BufferedReader reader) throws IOException {
        StringBuilder line = new StringBuilder();
        int c;
        while ((c = reader.read()) >= 0) {
            if (c == '\n') {
                return line.toString();
            }
            if (c != '\r') {
                line.append((char) c);
            }
            if (line.length() >= MAX_LINE_CHARS) {
                return line.toString();
            }
        }
        return line.length() > 0 ? line.toString() : null;
    }

    private void drainStderr() {
        String prefix = "[worker-" + slot + " pid " + process.pid() + "] ";
        long windowStart = System.nanoTime();
        int linesInWindow = 0;
        int dropped = 0;
        try (BufferedReader reader = new BufferedReader(
                new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = readBoundedLine(reader)) != null) {
                stderrTail.add(line);
                long now = System.nanoTime();
                if (now - windowStart >= TimeUnit.SECONDS.toNanos(1)) {
                    if (dropped > 0) {
                        log.warn("{}{} lines of output dropped (more than {} lines per second)", prefix, dropped,
                                STDERR_LINES_PER_SECOND);
                    }
                    windowStart = now;
                    linesInWindow = 0;
                    dropped = 0;
                }
                if (++linesInWindow <= STDERR_LINES_PER_SECOND) {
                    log.info("{}{}", prefix, line);
                } else {
                    dropped++;
                }
            }
        } catch (IOException e) {
            // The pipe closed with the process; nothing more to read.
        }
    }
}
