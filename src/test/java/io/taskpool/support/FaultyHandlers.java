package io.taskpool.support;

import io.taskpool.spi.TaskContext;
import io.taskpool.spi.TaskHandler;
import io.taskpool.spi.TaskInput;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Task handlers that misbehave on purpose, one per failure the pool must contain. They run in
 * real worker processes: the tests put {@code target/test-classes} on the workers' class path.
 */
public final class FaultyHandlers {

    private FaultyHandlers() {}

    /** Base class: type and description in one place. */
    abstract static class Named implements TaskHandler {
        private final String type;

        Named(String type) {
            this.type = type;
        }

        @Override
        public String type() {
            return type;
        }

        @Override
        public String description() {
            return "test: " + type;
        }
    }

    /** Exits the worker JVM with {@code code} in the middle of the task, like a System.exit in user code. */
    public static final class Exit extends Named {
        public Exit() {
            super("test.exit");
        }

        @Override
        public Object run(TaskInput input, TaskContext context) {
            Runtime.getRuntime().halt((int) input.longValue("code", 7, 0, 255));
            return null;
        }
    }

    /** Writes to address 0 through Unsafe: a native crash (SIGSEGV) of the worker JVM. */
    public static final class Segfault extends Named {
        public Segfault() {
            super("test.segfault");
        }

        @Override
        public Object run(TaskInput input, TaskContext context) throws Exception {
            java.lang.reflect.Field field = Class.forName("sun.misc.Unsafe").getDeclaredField("theUnsafe");
            field.setAccessible(true);
            Object unsafe = field.get(null);
            unsafe.getClass().getMethod("putAddress", long.class, long.class).invoke(unsafe, 0L, 42L);
            return Map.of("survived", true);
        }
    }

    /** Allocates until the heap is exhausted. */
    public static final class OutOfMemory extends Named {
        public OutOfMemory() {
            super("test.oom");
        }

        @Override
        public Object run(TaskInput input, TaskContext context) {
            List<long[]> hog = new ArrayList<>();
            while (true) {
                hog.add(new long[1 << 20]);
            }
        }
    }

    /** Writes text straight to the frame stream (file descriptor 1), bypassing System.out. */
    public static final class Garbage extends Named {
        public Garbage() {
            super("test.garbage");
        }

        @Override
        public Object run(TaskInput input, TaskContext context) throws IOException {
            FileOutputStream stdout = new FileOutputStream(FileDescriptor.out);
            stdout.write("hello from a careless task\n".getBytes());
            stdout.flush();
            return Map.of("wrote", "garbage");
        }
    }

    /**
     * Writes the bytes given in {@code base64} straight to the frame stream, then either returns
     * ({@code then: "return"}, so the worker's own frames follow them), ends the worker at once
     * with status 0 ({@code then: "exit"}), or writes nothing more for a minute ({@code then:
     * "hang"}): any stream a task could forge.
     */
    public static final class WriteStdout extends Named {
        public WriteStdout() {
            super("test.write-stdout");
        }

        @Override
        public Object run(TaskInput input, TaskContext context) throws IOException {
            byte[] bytes = java.util.Base64.getDecoder().decode(input.requireString("base64"));
            FileOutputStream stdout = new FileOutputStream(FileDescriptor.out);
            stdout.write(bytes);
            stdout.flush();
            String then = input.string("then", "return");
            if ("exit".equals(then)) {
                Runtime.getRuntime().halt(0);
            }
            // "hang": write nothing more for up to a minute, as a worker stuck half-way through a frame.
            long end = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
            while ("hang".equals(then) && System.nanoTime() < end && !context.isCancelled()) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
            }
            return Map.of("wrote", bytes.length);
        }
    }

    /** Writes a frame header that announces a 1 GiB frame. */
    public static final class OversizedFrame extends Named {
        public OversizedFrame() {
            super("test.oversized-frame");
        }

        @Override
        public Object run(TaskInput input, TaskContext context) throws IOException {
            FileOutputStream stdout = new FileOutputStream(FileDescriptor.out);
            stdout.write(new byte[] {(byte) 0xF7, 0x40, 0, 0, 0});
            stdout.flush();
            return Map.of();
        }
    }

    /** Prints with System.out, which the worker redirects to stderr: must not break anything. */
    public static final class Println extends Named {
        public Println() {
            super("test.println");
        }

        @Override
        public Object run(TaskInput input, TaskContext context) {
            System.out.println("a line printed by a task");
            return Map.of("printed", true);
        }
    }

    /** Ignores cancellation and interrupts; only a kill stops it. */
    public static final class Stubborn extends Named {
        public Stubborn() {
            super("test.stubborn");
        }

        @Override
        public Object run(TaskInput input, TaskContext context) {
            long end = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
            long spins = 0;
            while (System.nanoTime() < end) {
                spins++;
                Thread.interrupted();
            }
            return Map.of("spins", spins);
        }
    }

    /**
     * Starts a child process ({@code sleep}) and waits; reports the child's pid as progress so a
     * test can check that killing the worker also kills its children.
     */
    public static final class SpawnChild extends Named {
        public SpawnChild() {
            super("test.spawn-child");
        }

        @Override
        public Object run(TaskInput input, TaskContext context) throws Exception {
            Process child = new ProcessBuilder("sleep", "600").start();
            context.progress(0.5, "child pid " + child.pid());
            long end = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
            while (System.nanoTime() < end) {
                try {
                    child.waitFor(10, TimeUnit.MILLISECONDS);
                    context.progress(0.5, "child pid " + child.pid());
                } catch (InterruptedException ignored) {
                    // stubborn on purpose: only a kill stops this task
                }
            }
            return Map.of();
        }
    }

    /** Floods stderr, then succeeds: the service must drain it without blocking the worker. */
    public static final class StderrFlood extends Named {
        public StderrFlood() {
            super("test.stderr-flood");
        }

        @Override
        public Object run(TaskInput input, TaskContext context) {
            long lines = input.longValue("lines", 100_000, 1, 10_000_000);
            String line = "x".repeat(200);
            for (long i = 0; i < lines; i++) {
                System.err.println(line);
            }
            return Map.of("lines", lines);
        }
    }

    /** Writes many bytes to stderr without a single newline. */
    public static final class EndlessLine extends Named {
        public EndlessLine() {
            super("test.endless-line");
        }

        @Override
        public Object run(TaskInput input, TaskContext context) {
            long bytes = input.longValue("bytes", 20_000_000, 1, 1_000_000_000);
            byte[] chunk = "z".repeat(64 * 1024).getBytes();
            for (long written = 0; written < bytes; written += chunk.length) {
                System.err.write(chunk, 0, chunk.length);
            }
            System.err.flush();
            return Map.of("bytes", bytes);
        }
    }

    /** Returns a string of {@code bytes} characters. */
    public static final class BigResult extends Named {
        public BigResult() {
            super("test.big-result");
        }

        @Override
        public Object run(TaskInput input, TaskContext context) {
            return Map.of("text", "y".repeat((int) input.requireLong("bytes", 0, 100_000_000)));
        }
    }

    /** Throws. */
    public static final class Fail extends Named {
        public Fail() {
            super("test.fail");
        }

        @Override
        public Object run(TaskInput input, TaskContext context) {
            throw new IllegalStateException(input.string("message", "boom"));
        }
    }

    /**
     * Fails its first {@code failures} attempts, then succeeds: each attempt leaves a file in the
     * directory {@code dir}, since attempts run in different worker processes. With {@code crash}
     * the failing attempts kill their worker instead of throwing.
     */
    public static final class Flaky extends Named {
        public Flaky() {
            super("test.flaky");
        }

        @Override
        public Object run(TaskInput input, TaskContext context) throws Exception {
            java.nio.file.Path dir = java.nio.file.Path.of(input.requireString("dir"));
            java.nio.file.Files.createDirectories(dir);
            int attempt;
            try (var files = java.nio.file.Files.list(dir)) {
                attempt = (int) files.count() + 1;
            }
            java.nio.file.Files.createFile(dir.resolve("attempt-" + attempt));
            if (attempt <= input.requireLong("failures", 0, 100)) {
                if (Boolean.TRUE.equals(input.asMap().get("crash"))) {
                    Runtime.getRuntime().halt(7);
                }
                throw new IllegalStateException("attempt " + attempt + " fails on purpose");
            }
            return Map.of("attempts", attempt);
        }
    }

    /** Says which process runs it. */
    public static final class Pid extends Named {
        public Pid() {
            super("test.pid");
        }

        @Override
        public Object run(TaskInput input, TaskContext context) {
            return Map.of("pid", ProcessHandle.current().pid());
        }
    }

    /**
     * Kills its worker at start-up while the file named by the system property
     * {@code taskpool.test.poison} exists: a worker that cannot start, for crash-loop tests. If the
     * file's name ends in {@code garbage}, the worker instead writes text on its frame stream and
     * hangs.
     */
    public static final class PoisonedStart extends Named {
        public PoisonedStart() {
            super("test.poisoned-start");
            String poison = System.getProperty("taskpool.test.poison");
            if (poison != null && java.nio.file.Files.exists(java.nio.file.Path.of(poison))) {
                if (poison.endsWith("garbage")) {
                    // Text on the frame stream before hello, then no exit: only a kill ends it.
                    try {
                        new FileOutputStream(FileDescriptor.out).write("starting up...\n".getBytes());
                        Thread.currentThread().join();
                    } catch (IOException | InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                }
                System.err.println("poisoned: refusing to start");
                Runtime.getRuntime().halt(99);
            }
        }

        @Override
        public Object run(TaskInput input, TaskContext context) {
            return Map.of();
        }
    }
}
