package io.taskpool.api;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How much memory a process holds in RAM (its resident set), read from {@code /proc} on Linux.
 * Elsewhere, and for a process that has just exited, there is no answer.
 */
final class ResidentMemory {

    private static final Path PROC = Path.of("/proc");

    private ResidentMemory() {}

    /** The resident set of process {@code pid} in bytes, or null when it cannot be read. */
    static Long ofProcess(long pid) {
        Path status = PROC.resolve(Long.toString(pid)).resolve("status");
        try {
            for (String line : Files.readAllLines(status)) {
                // "VmRSS:     41234 kB": the kernel always writes kB here.
                if (line.startsWith("VmRSS:")) {
                    String[] fields = line.substring("VmRSS:".length()).trim().split("\\s+");
                    return Long.parseLong(fields[0]) * 1024;
                }
            }
            return null;
        } catch (IOException | RuntimeException e) {
            return null; // no /proc, or the process is gone: the tile shows no figure
        }
    }
}
