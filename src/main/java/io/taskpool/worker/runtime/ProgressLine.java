package io.taskpool.worker.runtime;

import java.util.Map;

/**
 * The progress convention of program task types: a stderr line that is a JSON object with a
 * numeric {@code "progress"} (0 to 1) and an optional string {@code "message"}, such as
 * {@code {"progress": 0.4, "message": "fitting"}}. Any other line is a log line.
 */
record ProgressLine(double fraction, String message) {

    /** The progress a line reports, or null when it is a log line. */
    static ProgressLine parse(String line) {
        String text = line.strip();
        if (!text.startsWith("{") || !text.endsWith("}") || !text.contains("\"progress\"")) {
            return null; // most lines: no parse attempt
        }
        Map<String, Object> object;
        try {
            object = Json.parseObject(text);
        } catch (IllegalArgumentException notJson) {
            return null;
        }
        if (!(object.get("progress") instanceof Number number)) {
            return null;
        }
        double fraction = number.doubleValue();
        if (Double.isNaN(fraction) || fraction < 0 || fraction > 1) {
            return null;
        }
        Object message = object.get("message");
        return new ProgressLine(fraction, message instanceof String words ? words : null);
    }
}
