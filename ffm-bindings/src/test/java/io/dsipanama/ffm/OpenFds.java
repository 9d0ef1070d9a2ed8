package io.dsipanama.ffm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * Counts this process's descriptors that a networking test could leak: sockets and io_uring instances
 * (read from /proc/self/fd, so class loading or the JIT opening jars does not disturb the count).
 */
final class OpenFds {
    private OpenFds() {
    }

    static long socketsAndRings() {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.map(OpenFds::target).filter(t -> t.startsWith("socket:") || t.contains("io_uring")).count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String target(Path fd) {
        try {
            return Files.readSymbolicLink(fd).toString();
        } catch (IOException e) {
            return ""; // closed while we listed (e.g. the directory stream's own descriptor)
        }
    }
}
