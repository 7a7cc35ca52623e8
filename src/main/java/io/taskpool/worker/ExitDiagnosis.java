package io.taskpool.worker;

import io.taskpool.task.TaskFailure;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** What a worker's exit status and last stderr lines say about how it died. */
final class ExitDiagnosis {

    /** The status a worker JVM exits with on {@code -XX:+ExitOnOutOfMemoryError}. */
    private static final int OUT_OF_MEMORY_STATUS = 3;

    private ExitDiagnosis() {
    }

    static boolean outOfMemory(int exitCode, String stderrTail) {
        return exitCode == OUT_OF_MEMORY_STATUS && stderrTail.contains("OutOfMemoryError");
    }

    static RestartReason restartReason(int exitCode, String stderrTail) {
        return RestartReason.ofExit(outOfMemory(exitCode, stderrTail));
    }

    /** The failure of the task a worker ran when it died on its own. */
    static TaskFailure failureOfTask(int exitCode, String stderrTail, Optional<Path> crashReport, String maxHeap) {
        if (outOfMemory(exitCode, stderrTail)) {
            return new TaskFailure.OutOfMemory(maxHeap, stderrTail);
        }
        String how = crashReport.map(report -> "the worker JVM crashed (" + describe(exitCode)
                        + ") while running the task; fatal error report: " + report)
                .orElse("the worker process exited with " + describe(exitCode) + " while running the task");
        return new TaskFailure.WorkerCrashed(how, stderrTail);
    }

    /** "exit code 1", or "signal 9 (SIGKILL)" for a process a signal ended (status 128 + signal). */
    static String describe(int exitCode) {
        if (exitCode > 128 && exitCode < 128 + 65) {
            int signal = exitCode - 128;
            String name = switch (signal) {
                case 9 -> "SIGKILL";
                case 15 -> "SIGTERM";
                case 6 -> "SIGABRT";
                case 11 -> "SIGSEGV";
                case 2 -> "SIGINT";
                case 1 -> "SIGHUP";
                default -> "signal " + signal;
            };
            return "signal " + signal + " (" + name + ")";
        }
        return "exit code " + exitCode;
    }

    /** The last {@code count} lines of {@code text}, on one line. */
    static String lastLines(String text, int count) {
        List<String> lines = text.lines().toList();
        return String.join(" | ", lines.subList(Math.max(0, lines.size() - count), lines.size()));
    }
}
