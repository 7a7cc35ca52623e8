package io.taskpool.worker;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Decides which of the service's environment variables a worker JVM gets: only those that
 * {@code taskpool.workers.inherited-environment} allows, and never one that configures the
 * service or looks like a secret, whatever that list says. The service's own configuration
 * (a datasource password in {@code SPRING_DATASOURCE_PASSWORD}, API keys under
 * {@code TASKPOOL_*}, a cloud token) therefore never reaches task code, which may be a plug-in
 * or a program the operator did not write.
 *
 * <p>An entry is a variable's name ({@code TZ}) or a prefix ending in {@code *} ({@code LC_*}).
 * Names match exactly, as the operating system compares them.
 */
final class WorkerEnvironment {

    /**
     * Never inherited: memory flags meant for the service (in {@code JAVA_TOOL_OPTIONS} they would
     * give every worker the service's heap) and the service's own configuration, which Spring
     * reads from {@code SPRING_*} and {@code TASKPOOL_*} variables.
     */
    private static final Pattern SERVICE_ONLY = Pattern.compile(
            "JAVA_TOOL_OPTIONS|JDK_JAVA_OPTIONS|_JAVA_OPTIONS|SPRING_.*|TASKPOOL_.*", Pattern.CASE_INSENSITIVE);
    /**
     * Never inherited either: names that suggest a credential. A trade-off: a harmless variable
     * such as {@code KEYBOARD_LAYOUT} is lost too; a program that needs a secret gets it from
     * {@code taskpool.programs.<type>.env}, where the operator names it on purpose.
     */
    private static final Pattern SECRET_LOOKING = Pattern.compile(
            ".*(PASSWORD|PASSWD|SECRET|TOKEN|KEY|CREDENTIAL|AUTH).*", Pattern.CASE_INSENSITIVE);
    private static final Pattern ENTRY = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*\\*?");

    private WorkerEnvironment() {}

    /**
     * Checks the configured allow-list: each entry a name or a prefix ending in {@code *}, and
     * none naming a variable that is never inherited, so that such a configuration fails at
     * start-up rather than being silently ignored.
     *
     * @throws IllegalArgumentException naming the property and the entry
     */
    static void checkAllowList(List<String> entries) {
        for (String entry : entries) {
            if (entry == null || !ENTRY.matcher(entry).matches()) {
                throw new IllegalArgumentException("taskpool.workers.inherited-environment: '" + entry
                        + "' is neither a variable's name nor a prefix ending in *");
            }
            String name = entry.endsWith("*") ? entry.substring(0, entry.length() - 1) : entry;
            if (neverInherited(name)) {
                throw new IllegalArgumentException("taskpool.workers.inherited-environment: '" + entry
                        + "' would pass the service's configuration or a secret to task code; give a program"
                        + " the variables it needs in taskpool.programs.<type>.env");
            }
        }
    }

    /** The environment of a worker JVM: the allowed variables of {@code service}, nothing else. */
    static Map<String, String> forWorker(Map<String, String> service, List<String> allowed) {
        Map<String, String> worker = new TreeMap<>();
        service.forEach((name, value) -> {
            if (isAllowed(name, allowed) && !neverInherited(name)) {
                worker.put(name, value);
            }
        });
        return worker;
    }

    private static boolean isAllowed(String name, List<String> allowed) {
        for (String entry : allowed) {
            boolean matches = entry.endsWith("*")
                    ? name.startsWith(entry.substring(0, entry.length() - 1))
                    : name.equals(entry);
            if (matches) {
                return true;
            }
        }
        return false;
    }

    private static boolean neverInherited(String name) {
        String upper = name.toUpperCase(Locale.ROOT);
        return SERVICE_ONLY.matcher(upper).matches() || SECRET_LOOKING.matcher(upper).matches();
    }
}
