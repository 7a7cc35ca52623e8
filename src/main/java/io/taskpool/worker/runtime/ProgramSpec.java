package io.taskpool.worker.runtime;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A task type run by an external program, as the service describes it in the programs file (the
 * worker's fourth argument): a JSON object of {@code {"<type>": {"description": s, "argv": [s, ...],
 * "workingDir": s or null, "env": {name: value}, "inputSchema": s or null}}}.
 *
 * @param workingDir where the program runs, or null for a fresh temporary directory per task
 * @param inputSchema the JSON Schema of the input as JSON text, or null; passed on in the hello, never parsed here
 */
record ProgramSpec(String type, String description, List<String> argv, Path workingDir, Map<String, String> env,
        String inputSchema) {

    ProgramSpec {
        if (argv.isEmpty()) {
            throw new IllegalArgumentException("program '" + type + "' has an empty argv");
        }
        argv = List.copyOf(argv);
        env = Map.copyOf(env);
    }

    /** Reads every program of the file the service wrote. */
    static List<ProgramSpec> read(Path file) throws IOException {
        Map<String, Object> all = Json.parseObject(Files.readString(file, StandardCharsets.UTF_8));
        List<ProgramSpec> specs = new ArrayList<>(all.size());
        all.forEach((type, value) -> specs.add(of(type, asObject(type, value))));
        return specs;
    }

    private static ProgramSpec of(String type, Map<String, Object> fields) {
        List<String> argv = new ArrayList<>();
        if (fields.get("argv") instanceof List<?> list) {
            list.forEach(arg -> argv.add(String.valueOf(arg)));
        }
        Map<String, String> env = new LinkedHashMap<>();
        if (fields.get("env") instanceof Map<?, ?> map) {
            map.forEach((name, value) -> env.put(String.valueOf(name), String.valueOf(value)));
        }
        Object description = fields.get("description");
        Object workingDir = fields.get("workingDir");
        Object inputSchema = fields.get("inputSchema");
        return new ProgramSpec(type, description == null ? "Runs " + String.join(" ", argv) : description.toString(),
                argv, workingDir == null ? null : Path.of(workingDir.toString()), env,
                inputSchema == null ? null : inputSchema.toString());
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> asObject(String type, Object value) {
        if (!(value instanceof Map<?, ?>)) {
            throw new IllegalArgumentException("program '" + type + "' is not a JSON object");
        }
        return (Map<String, Object>) value;
    }
}
