package io.dsipanama.stream;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** A private stream root under /dev/shm for one test, deleted afterwards; plus raw file surgery helpers. */
final class TestRoot implements AutoCloseable {
    final Path path;
    final StreamDirectory dir;

    TestRoot() {
        path = Path.of("/dev/shm", "dsi-stream-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime(), "root");
        dir = new StreamDirectory(path);
    }

    /** Name and size of every entry of the root and of its parent, to prove a refusal changed nothing. */
    Map<String, Long> snapshot() {
        Map<String, Long> m = new TreeMap<>();
        for (Path p : new Path[]{path, path.getParent()}) {
            try (Stream<Path> s = Files.list(p)) {
                s.forEach(f -> {
                    try {
                        m.put(f.toString(), Files.isDirectory(f) ? -1 : Files.size(f));
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return m;
    }

    static void putLong(Path file, long offset, long value) throws IOException {
        write(file, offset, ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putLong(0, value));
    }

    static void putInt(Path file, long offset, int value) throws IOException {
        write(file, offset, ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(0, value));
    }

    static void write(Path file, long offset, ByteBuffer bytes) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.write(bytes, offset);
        }
    }

    static void truncate(Path file, long size) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.truncate(size);
        }
    }

    @Override
    public void close() throws IOException {
        try (Stream<Path> s = Files.walk(path.getParent())) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
