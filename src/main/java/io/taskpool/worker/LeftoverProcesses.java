package io.taskpool.worker;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kills what a worker left running after it died. While a worker lives, killing it kills its
 * descendants first; but a worker killed from outside (an operator's {@code kill -9}, the kernel's
 * OOM killer) takes that knowledge with it: its children are re-parented and no longer its
 * descendants. Each worker therefore carries a token in its environment ({@link #VARIABLE}), its
 * programs get it too, and whatever they start inherits it; after the worker's exit every process
 * still holding its token is killed. Reads {@code /proc}, so on Linux only; elsewhere a no-op.
 */
final class LeftoverProcesses {

    /** The variable that marks a worker's processes; a program gets it as well. */
    static final String VARIABLE = "TASKPOOL_WORKER_TOKEN";

    private static final Logger log = LoggerFactory.getLogger(LeftoverProcesses.class);
    private static final Path PROC = Path.of("/proc");
    /** A process may fork while it is being looked for: look again until a pass finds none. */
    private static final int MAX_PASSES = 5;

    /** Off the supervisor's thread: a pass reads an entry of every process on the machine. */
    private final ExecutorService reaper = Executors.newSingleThreadExecutor(runnable -> {
        Thread thread = new Thread(runnable, "worker-leftover-reaper");
        thread.setDaemon(true);
        return thread;
    });

    /** Kills, soon, every process that still carries {@code token}. */
    void killMarkedWith(String token) {
        if (Files.isDirectory(PROC)) {
            reaper.execute(() -> killNow(token));
        }
    }

    private void killNow(String token) {
        byte[] mark = (VARIABLE + "=" + token).getBytes(StandardCharsets.UTF_8);
        int killed = 0;
        for (int pass = 0; pass < MAX_PASSES; pass++) {
            List<ProcessHandle> marked = marked(mark);
            if (marked.isEmpty()) {
                break;
            }
            marked.forEach(ProcessHandle::destroyForcibly);
            killed += marked.size();
        }
        if (killed > 0) {
            log.warn("Killed {} processes left behind by a worker that died", killed);
        }
    }

    private static List<ProcessHandle> marked(byte[] mark) {
        List<ProcessHandle> marked = new ArrayList<>();
        try (DirectoryStream<Path> processes = Files.newDirectoryStream(PROC, "[0-9]*")) {
            for (Path process : processes) {
                if (holds(process.resolve("environ"), mark)) {
                    ProcessHandle.of(Long.parseLong(process.getFileName().toString())).ifPresent(marked::add);
                }
            }
        } catch (IOException | RuntimeException e) {
            log.debug("could not list processes: {}", e.toString());
        }
        return marked;
    }

    /** Whether the NUL-separated environment holds {@code mark} as a whole entry. */
    private static boolean holds(Path environ, byte[] mark) {
        byte[] entries;
        try {
            entries = Files.readAllBytes(environ);
        } catch (IOException | RuntimeException gone) {
            return false; // exited meanwhile, or another user's process
        }
        int start = 0;
        for (int i = 0; i <= entries.length; i++) {
            if (i == entries.length || entries[i] == 0) {
                if (i - start == mark.length && Arrays.equals(entries, start, i, mark, 0, mark.length)) {
                    return true;
                }
                start = i + 1;
            }
        }
        return false;
    }

    /** Takes no more work; what is queued still runs (workers exiting at a stop may leave some). */
    void close() {
        reaper.shutdown();
    }
}
