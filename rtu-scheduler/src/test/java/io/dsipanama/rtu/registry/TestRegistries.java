package io.dsipanama.rtu.registry;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/** Private registry paths under /dev/shm for tests, so no test touches the default registry or another's. */
public final class TestRegistries {
    private static final AtomicInteger NEXT = new AtomicInteger();

    private TestRegistries() {
    }

    /** A fresh directory (0700) under /dev/shm; the registry path inside it does not exist yet. */
    public static Path freshPath() {
        Path dir = Path.of("/dev/shm", "dsi-rtu-test-" + ProcessHandle.current().pid() + "-" + NEXT.incrementAndGet()
                + "-" + System.nanoTime());
        try {
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return dir.resolve("registry");
    }

    /** Removes the directory of {@code registry} and everything in it. */
    public static void delete(Path registry) {
        Path dir = registry.getParent();
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
