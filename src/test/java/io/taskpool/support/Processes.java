package io.taskpool.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Process checks for tests. */
public final class Processes {

    private Processes() {}

    /**
     * True while the process runs. A zombie (exited, not yet reaped by whoever inherited it) counts
     * as gone: it holds no memory and runs no code, and the reaping is up to the machine's init.
     */
    public static boolean isRunning(long pid) {
        if (!ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
            return false;
        }
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // The state letter follows the command name in parentheses.
            return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
        } catch (IOException | IndexOutOfBoundsException e) {
            return false;
        }
    }
}
