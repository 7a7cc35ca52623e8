package io.taskpool.worker;

import io.taskpool.worker.protocol.Frame;
import io.taskpool.worker.protocol.FrameCodec;
import io.taskpool.worker.protocol.ProtocolException;
import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
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
final class WorkerProcess {

    private static final Logger log = LoggerFactory.getLogger("io.taskpool.worker.output");
    /** Lines per second a worker may log before the rest of that second is dropped. */
    private static final int STDERR_LINES_PER_SECOND = 200;

    private final int slot;
    private final long generation;
    private final Process process;
    private final FrameCodec codec;
    private final OutputStream stdin;
    private final StderrTail stderrTail = new StderrTail();
    private final Thread stderrThread;

    private WorkerProcess(int slot, long generation, Process process, FrameCodec codec) {
        this.slot = slot;
        this.generation = generation;
        this.process = process;
        this.codec = codec;
        this.stdin = process.getOutputStream();
        this.stderrThread = new Thread(this::drainStderr, "worker-" + slot + "-stderr");
    }

    static WorkerProcess start(WorkerLauncher launcher, int slot, long generation, FrameCodec codec,
            Consumer<PoolEvent> events) throws IOException {
        WorkerProcess worker = new WorkerProcess(slot, generation, launcher.start(), codec);
        worker.stderrThread.setDaemon(true);
        worker.stderrThread.start();
        Thread stdout = new Thread(() -> worker.readFrames(events), "worker-" + slot + "-stdout");
        stdout.setDaemon(true);
        stdout.start();
        return worker;
    }

    long pid() {
        return process.pid();
    }

    long generation() {
        return generation;
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Sends a frame; an IOException means the worker is dying and its exit event will follow. */
    void send(Frame frame) throws IOException {
        codec.write(stdin, frame);
    }

    /**
     * Kills the worker and every process it started, at once (SIGKILL): used when a task must
     * stop now (timeout, cancel past its grace, protocol error, no heartbeat).
     */
    void killTree() {
        // Descendants first: once the worker is dead its children are re-parented and lost to us.
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    private void readFrames(Consumer<PoolEvent> events) {
        InputStream in = new BufferedInputStream(process.getInputStream(), 1 << 16);
        try {
            while (true) {
                events.accept(new PoolEvent.FrameReceived(slot, generation, codec.read(in)));
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

    private void drainStderr() {
        String prefix = "[worker-" + slot + " pid " + process.pid() + "] ";
        long windowStart = System.nanoTime();
        int linesInWindow = 0;
        int dropped = 0;
        try (BufferedReader reader = new BufferedReader(
                new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
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
