package io.taskpool.worker.runtime;

import io.taskpool.spi.TaskHandler;
import io.taskpool.worker.protocol.Frame.TaskType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/** The task handlers of this worker, by type name: those found on its class path, then the programs. */
final class HandlerRegistry {

    private final Map<String, TaskHandler> byType;

    private HandlerRegistry(Map<String, TaskHandler> byType) {
        this.byType = byType;
    }

    /**
     * Loads every {@link TaskHandler} with {@link ServiceLoader}, then adds one
     * {@link ProgramHandler} per program. A handler that fails to load or repeats a type already
     * taken is reported on stderr and skipped, so one broken plug-in jar does not take all other
     * task types down with it; the same goes for a program named like a type already taken.
     */
    static HandlerRegistry load(List<ProgramSpec> programs, long maxResultBytes) {
        HandlerRegistry registry = loadClassPath();
        for (ProgramSpec program : programs) {
            TaskHandler handler = new ProgramHandler(program, maxResultBytes);
            TaskHandler previous = registry.byType.putIfAbsent(program.type(), handler);
            if (previous != null) {
                System.err.println("worker: program task type '" + program.type() + "' is already provided by "
                        + previous.getClass().getName() + "; keeping the first");
            }
        }
        return registry;
    }

    /** The class path's handlers. */
    private static HandlerRegistry loadClassPath() {
        Map<String, TaskHandler> byType = new LinkedHashMap<>();
        var iterator = ServiceLoader.load(TaskHandler.class).iterator();
        while (true) {
            TaskHandler handler;
            try {
                if (!iterator.hasNext()) {
                    break;
                }
                handler = iterator.next();
            } catch (ServiceConfigurationError e) {
                System.err.println("worker: skipping a task handler that failed to load: " + e.getMessage());
                continue;
            }
            TaskHandler previous = byType.putIfAbsent(handler.type(), handler);
            if (previous != null) {
                System.err.println("worker: task type '" + handler.type() + "' of " + handler.getClass().getName()
                        + " is already provided by " + previous.getClass().getName() + "; keeping the first");
            }
        }
        return new HandlerRegistry(byType);
    }

    TaskHandler find(String type) {
        return byType.get(type);
    }

    List<TaskType> types() {
        // A loop, not a lambda: this runs before the worker's hello, and a JVM's first lambda costs
        // milliseconds of start-up.
        List<TaskType> types = new ArrayList<>(byType.size());
        for (Map.Entry<String, TaskHandler> entry : byType.entrySet()) {
            TaskHandler handler = entry.getValue();
            types.add(new TaskType(entry.getKey(), handler.description(), handler.inputSchema()));
        }
        return types;
    }
}
