package io.taskpool.worker;

import io.taskpool.worker.runtime.WorkerMain;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Enumeration;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The class path of the worker JVMs: where {@link WorkerMain} and the built-in handlers live, the
 * configured entries, then the jars of the plug-ins directory as they are at each worker start.
 *
 * <p>Run from a directory or a plain jar (tests, an unpacked or extracted jar), that location is
 * used as it is. Run from the executable jar, the few worker packages are copied once into a
 * temporary directory: starting a child through the Spring Boot launcher would cost ~0.4 s and
 * ~30 MiB more per worker, because it opens every nested jar.
 */
final class WorkerClassPath implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(WorkerClassPath.class);
    private static final String NESTED_CLASSES = "BOOT-INF/classes/";
    /** What a worker loads: the SPI, the protocol, the runtime and the handler registrations. */
    private static final List<String> WORKER_RESOURCES = List.of(
            "io/taskpool/spi/",
            "io/taskpool/worker/protocol/",
            "io/taskpool/worker/runtime/",
            "META-INF/services/io.taskpool.spi.TaskHandler");

    private final List<Path> entries;
    private final Path extracted;
    private final Path pluginsDir;

    private WorkerClassPath(List<Path> entries, Path extracted, Path pluginsDir) {
        this.entries = entries;
        this.extracted = extracted;
        this.pluginsDir = pluginsDir;
    }

    static WorkerClassPath resolve(List<String> extraEntries, Path pluginsDir) {
        URL location = WorkerMain.class.getProtectionDomain().getCodeSource().getLocation();
        List<Path> entries = new ArrayList<>();
        Path extracted = null;
        if ("file".equals(location.getProtocol())) {
            entries.add(toPath(location));
        } else {
            Path executableJar = executableJar(location);
            extracted = extract(executableJar);
            entries.add(extracted);
        }
        for (String extra : extraEntries) {
            Path path = Path.of(extra).toAbsolutePath();
            if (!Files.exists(path)) {
                throw new IllegalStateException("taskpool.workers.class-path entry " + path + " does not exist");
            }
            entries.add(path);
        }
        return new WorkerClassPath(List.copyOf(entries), extracted, pluginsDir.toAbsolutePath().normalize());
    }

    /**
     * The entries joined with the platform's path separator, for {@code -cp}, with the plug-in
     * jars as they are now: a jar dropped in the directory reaches every worker started after.
     */
    String asArgument() {
        List<Path> all = new ArrayList<>(entries);
        all.addAll(pluginJars());
        return String.join(java.io.File.pathSeparator, all.stream().map(Path::toString).toList());
    }

    /**
     * The {@code *.jar} files of the plug-ins directory, sorted by name so every worker sees the
     * same order (the first handler of a type wins); none if the directory does not exist.
     */
    List<Path> pluginJars() {
        if (!Files.isDirectory(pluginsDir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(pluginsDir)) {
            return files.filter(file -> file.getFileName().toString().endsWith(".jar") && Files.isRegularFile(file))
                    .sorted().toList();
        } catch (IOException e) {
            log.warn("Cannot list the plug-ins directory {} ({}); starting the worker without plug-ins", pluginsDir,
                    e.toString());
            return List.of();
        }
    }

    Path pluginsDir() {
        return pluginsDir;
    }

    @Override
    public void close() {
        if (extracted == null) {
            return;
        }
        try (Stream<Path> files = Files.walk(extracted)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            log.debug("Could not remove {}", extracted, e);
        }
    }

    private static Path toPath(URL location) {
        try {
            return Path.of(location.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException("cannot locate the worker classes at " + location, e);
        }
    }

    /**
     * The outer jar of a nested location such as
     * {@code jar:nested:/srv/taskpool.jar/!BOOT-INF/classes/!/}.
     */
    static Path executableJar(URL location) {
        String text = location.toString();
        int start = text.indexOf("nested:");
        int end = text.indexOf("/!");
        if (start < 0 || end < start) {
            throw new IllegalStateException("cannot locate the worker classes at " + location
                    + "; run the service from its jar or a plain class path");
        }
        // The path is percent-encoded as in any URL; a file: URI decodes it (and, unlike
        // URLDecoder, leaves a '+' in a directory name alone).
        return Path.of(URI.create("file:" + text.substring(start + "nested:".length(), end)));
    }

    private static Path extract(Path executableJar) {
        try {
            Path target = Files.createTempDirectory("taskpool-worker-classes-");
            int copied = 0;
            try (JarFile jar = new JarFile(executableJar.toFile())) {
                Enumeration<JarEntry> all = jar.entries();
                while (all.hasMoreElements()) {
                    JarEntry entry = all.nextElement();
                    if (entry.isDirectory() || !entry.getName().startsWith(NESTED_CLASSES)) {
                        continue;
                    }
                    String name = entry.getName().substring(NESTED_CLASSES.length());
                    if (WORKER_RESOURCES.stream().noneMatch(name::startsWith)) {
                        continue;
                    }
                    Path file = target.resolve(name).normalize();
                    if (!file.startsWith(target)) {
                        continue; // never write outside the target, whatever the jar says
                    }
                    Files.createDirectories(file.getParent());
                    try (InputStream in = jar.getInputStream(entry)) {
                        Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
                    }
                    copied++;
                }
            }
            log.debug("Copied {} worker classes from {} to {}", copied, executableJar, target);
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the worker class path from " + executableJar, e);
        }
    }
}
