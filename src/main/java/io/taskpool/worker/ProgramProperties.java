package io.taskpool.worker;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.springframework.boot.context.properties.bind.DefaultValue;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A task type run by an external program ({@code taskpool.programs.<type>.*}): the worker starts
 * {@code argv} directly (never through a shell), writes the task's input JSON to its stdin and
 * reads its result from stdout. The type is named after the map key.
 *
 * @param argv the program and its arguments (a relative path to an existing file is made absolute); never the input
 * @param description one line for {@code GET /api/v1/task-types}; defaults to the command line
 * @param workingDir where the program runs; by default a fresh temporary directory per task, removed afterwards
 * @param env extra environment variables; the program sees only these, PATH, HOME, LANG and TASKPOOL_TASK_ID
 * @param timeout time limit of a task of this type that names no {@code timeoutMs} (else the tasks.default-timeout)
 * @param inputSchema a JSON Schema of the type's input, as JSON text; inputs that do not match are refused at submission
 */
public record ProgramProperties(
        List<String> argv,
        String description,
        Path workingDir,
        @DefaultValue Map<String, String> env,
        Duration timeout,
        String inputSchema) {

    /**
     * What a task type may be called: what {@code POST /api/v1/tasks} accepts (at most 200
     * characters), limited to the characters the built-in types use, so that a name needs no
     * quoting in a URL, a log line or a metric tag.
     */
    private static final Pattern TYPE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,199}");
    /** What a variable name may look like: POSIX portable names, so every program can read it. */
    private static final Pattern VARIABLE_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    /** Set by the worker for each task; configuration cannot replace it. */
    static final String TASK_ID_VARIABLE = "TASKPOOL_TASK_ID";

    public ProgramProperties {
        argv = argv == null ? List.of() : List.copyOf(argv);
        env = env == null ? Map.of() : Map.copyOf(env);
    }

    /** The description to list: the configured one, or the command line. */
    public String effectiveDescription() {
        return description != null && !description.isBlank() ? description : "Runs " + String.join(" ", argv);
    }

    /**
     * Checks what binding cannot, for the program of task type {@code type}; {@code maxTimeout}
     * is {@code taskpool.tasks.max-timeout} (null: not checked).
     *
     * @throws IllegalArgumentException naming the property at fault
     */
    public void check(String type, Duration maxTimeout) {
        if (!TYPE_NAME.matcher(type).matches()) {
            throw new IllegalArgumentException("taskpool.programs: '" + type + "' is not a task type name: 1 to 200"
                    + " letters, digits and . _ - starting with a letter or digit (in YAML, write a name with"
                    + " a dot in brackets: \"[text.words]\")");
        }
        String prefix = "taskpool.programs." + type;
        if (argv.isEmpty()) {
            throw new IllegalArgumentException(prefix + ".argv must name the program to run and its arguments,"
                    + " e.g. [python3, /opt/tasks/wordfreq.py]");
        }
        for (int i = 0; i < argv.size(); i++) {
            if (argv.get(i) == null || argv.get(i).isEmpty() || argv.get(i).indexOf('\0') >= 0) {
                throw new IllegalArgumentException(prefix + ".argv[" + i + "] must not be empty");
            }
        }
        if (argv.get(0).isBlank()) {
            throw new IllegalArgumentException(prefix + ".argv[0] must name a program");
        }
        for (Map.Entry<String, String> variable : env.entrySet()) {
            if (!VARIABLE_NAME.matcher(variable.getKey()).matches()) {
                throw new IllegalArgumentException(prefix + ".env: '" + variable.getKey()
                        + "' is not a variable name (letters, digits and _, not starting with a digit);"
                        + " in YAML write names with upper case or _ in brackets, e.g. \"[API_URL]\"");
            }
            if (variable.getKey().equals(TASK_ID_VARIABLE)) {
                throw new IllegalArgumentException(prefix + ".env must not set " + TASK_ID_VARIABLE
                        + ": the worker sets it to the id of each task");
            }
            if (variable.getValue() == null || variable.getValue().indexOf('\0') >= 0) {
                throw new IllegalArgumentException(prefix + ".env." + variable.getKey() + " must be a text value");
            }
        }
        if (timeout != null && (timeout.isNegative() || timeout.isZero())) {
            throw new IllegalArgumentException(prefix + ".timeout must be positive, was " + timeout);
        }
        if (timeout != null && maxTimeout != null && timeout.compareTo(maxTimeout) > 0) {
            throw new IllegalArgumentException(prefix + ".timeout (" + timeout
                    + ") must not exceed taskpool.tasks.max-timeout (" + maxTimeout + ")");
        }
        if (inputSchema != null) {
            checkSchema(prefix);
        }
    }

    private void checkSchema(String prefix) {
        JsonNode schema;
        try {
            schema = JsonMapper.shared().readTree(inputSchema);
        } catch (JacksonException e) {
            throw new IllegalArgumentException(prefix + ".input-schema is not JSON: " + e.getOriginalMessage());
        }
        if (schema == null || !schema.isObject()) {
            throw new IllegalArgumentException(prefix + ".input-schema must be a JSON object (a JSON Schema)");
        }
    }
}
