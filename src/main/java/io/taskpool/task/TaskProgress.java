package io.taskpool.task;

/**
 * The last progress a handler reported: {@code fraction} in 0..1 and an optional message of at
 * most {@link #MAX_MESSAGE_CHARS} characters. The worker runtime keeps to that, but a worker is a
 * separate process whose frames are not trusted: whatever arrives is brought into range here, so
 * a NaN or an oversized message fails neither the store write nor the task.
 */
public record TaskProgress(double fraction, String message) {

    /** What the store keeps of a progress message. */
    public static final int MAX_MESSAGE_CHARS = 1000;

    public TaskProgress {
        fraction = Double.isNaN(fraction) ? 0 : Math.max(0, Math.min(1, fraction));
        if (message != null && message.length() > MAX_MESSAGE_CHARS) {
            message = message.substring(0, MAX_MESSAGE_CHARS);
        }
    }
}
