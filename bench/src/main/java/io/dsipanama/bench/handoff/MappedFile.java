package io.dsipanama.bench.handoff;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * A file mapped shared and read-write into this process, owned by one shared {@link Arena} (closing
 * unmaps). The benchmarks' reference transports use it for their {@code /dev/shm} files; it goes
 * through {@link FileChannel#map(FileChannel.MapMode, long, long, Arena)}, so no restricted method.
 */
final class MappedFile implements AutoCloseable {
    private final Arena arena = Arena.ofShared();
    private final MemorySegment segment;
    private final Path path;

    private MappedFile(Path path, long length) throws IOException {
        this.path = path;
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long size = channel.size();
            if (length >= 0 && size != length) {
                throw new IOException(path + " is " + size + " bytes, expected " + length);
            }
            this.segment = channel.map(FileChannel.MapMode.READ_WRITE, 0, size, arena);
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    /**
     * Creates {@code prefix*} under {@code dir} (mode 0600) of {@code length} bytes, zero-filled through
     * the mapping so that its pages exist before anything is measured, and maps it.
     */
    static MappedFile create(Path dir, String prefix, long length) throws IOException {
        Path path = Files.createTempFile(dir, prefix, ".map",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            try (RandomAccessFile file = new RandomAccessFile(path.toFile(), "rw")) {
                file.setLength(length);
            }
            MappedFile mapped = new MappedFile(path, length);
            mapped.segment.fill((byte) 0);
            return mapped;
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(path);
            throw e;
        }
    }

    /** Maps an existing file whole. */
    static MappedFile open(Path path) throws IOException {
        return new MappedFile(path, -1);
    }

    MemorySegment segment() {
        return segment;
    }

    Path path() {
        return path;
    }

    @Override
    public void close() {
        if (arena.scope().isAlive()) {
            arena.close();
        }
    }
}
