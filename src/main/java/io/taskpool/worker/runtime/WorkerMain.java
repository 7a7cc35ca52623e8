package io.taskpool.worker.runtime;

import io.taskpool.worker.protocol.Frame;
import io.taskpool.worker.protocol.Frame.Cancel;
import io.taskpool.worker.protocol.Frame.Run;
import io.taskpool.worker.protocol.Frame.Shutdown;
import io.taskpool.worker.protocol.FrameCodec;
import io.taskpool.worker.protocol.ProtocolException;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Entry point of a worker process. Reads frames from stdin, runs one task at a time and answers
 * on stdout, which carries nothing but frames: {@code System.out} is pointed at stderr before any
 * handler code runs, so a stray {@code println} in a task ends up in the service log instead of
 * corrupting the stream.
 *
 * <p>Arguments: {@code <max frame bytes> <heartbeat interval ms> <max result bytes> [<programs file>]};
 * the programs file, when given, lists the program task types (see {@link ProgramSpec}).
 */
public final class WorkerMain {

    /** Exit status when the parent sent something that is not a frame. */
    static final int EXIT_PROTOCOL_ERROR = 2;

    private WorkerMain() {}

    public static void main(String[] args) {
        PrintStream frameStream = new PrintStream(
                new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16), false);
        System.setOut(System.err);
        int maxFrameBytes = Integer.parseInt(args[0]);
        long heartbeatMillis = Long.parseLong(args[1]);
        long maxResultBytes = Long.parseLong(args[2]);

        FrameCodec codec = new FrameCodec(maxFrameBytes);
        FrameWriter writer = new FrameWriter(codec, frameStream);
        HandlerRegistry handlers = HandlerRegistry.load(programs(args), maxResultBytes);
        writer.send(new Frame.Hello(Frame.PROTOCOL_VERSION, ownPid(), handlers.types()));
        startHeartbeat(writer, heartbeatMillis);

        TaskRunner runner = new TaskRunner(handlers, writer, maxResultBytes);
        readCommands(codec, new BufferedInputStream(new FileInputStream(FileDescriptor.in)), runner);
    }

    /**
     * The programs of the file named by the fourth argument. An unreadable file is the service's
     * fault and would break every worker alike: exit, so the service reports a failed start.
     */
    private static List<ProgramSpec> programs(String[] args) {
        if (args.length < 4) {
            return List.of();
        }
        try {
            return ProgramSpec.read(Path.of(args[3]));
        } catch (IOException | RuntimeException e) {
            System.err.println("worker: cannot read the program task types from " + args[3] + ": " + e);
            Runtime.getRuntime().halt(EXIT_PROTOCOL_ERROR);
            return List.of();
        }
    }

    /**
     * This process's id. On Linux it is read from {@code /proc/self}: the first use of
     * {@link ProcessHandle} starts the JDK's process reaper, which is built from the JVM's first
     * lambdas and costs a noticeable part of a worker's start before its hello.
     */
    private static long ownPid() {
        try {
            return Long.parseLong(Files.readSymbolicLink(Path.of("/proc/self")).toString());
        } catch (IOException | UnsupportedOperationException | NumberFormatException notLinux) {
            return ProcessHandle.current().pid();
        }
    }

    /**
     * Halts at once, without shutdown hooks, and takes the programs a task started along: they
     * are our children, and nobody else would stop them.
     */
    static void halt(int status) {
        ProcessHandle.current().descendants().forEach(ProcessHandle::destroyForcibly);
        Runtime.getRuntime().halt(status);
    }

    private static void readCommands(FrameCodec codec, InputStream in, TaskRunner runner) {
        try {
            while (true) {
                Frame frame = codec.read(in);
                if (frame instanceof Run run) {
                    runner.start(run);
                } else if (frame instanceof Cancel cancel) {
                    runner.cancel(cancel.requestId());
                } else if (frame instanceof Shutdown) {
                    runner.awaitIdle();
                    System.exit(0);
                } else {
                    throw new ProtocolException("the parent never sends " + frame.getClass().getSimpleName());
                }
            }
        } catch (EOFException parentGone) {
            // The service is gone (perhaps killed): nobody can use our result, so stop at once and
            // do not linger as an orphan.
            halt(0);
        } catch (IOException e) {
            System.err.println("worker: unreadable command stream, exiting: " + e.getMessage());
            halt(EXIT_PROTOCOL_ERROR);
        } catch (InterruptedException e) {
            halt(0);
        }
    }

    private static void startHeartbeat(FrameWriter writer, long intervalMillis) {
        Thread heartbeat = new Thread(() -> {
            try {
                while (true) {
                    Thread.sleep(intervalMillis);
                    writer.send(new Frame.Heartbeat());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "worker-heartbeat");
        heartbeat.setDaemon(true);
        heartbeat.start();
    }
}
