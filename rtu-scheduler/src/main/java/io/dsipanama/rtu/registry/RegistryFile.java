package io.dsipanama.rtu.registry;

import io.dsipanama.ffm.Errno;
import io.dsipanama.ffm.Fcntl;
import io.dsipanama.ffm.Mman;
import io.dsipanama.ffm.support.ProcessIdentity;
import io.dsipanama.ffm.Stat;
import io.dsipanama.ffm.SysFile;
import io.dsipanama.ffm.Unistd;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

import static io.dsipanama.rtu.registry.RegistryHeaderDescriptor.*;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The registry file: created complete under a temporary name and linked into place, or opened and
 * validated; mapped {@code MAP_SHARED}; locked with an in-process lock plus flock(2).
 *
 * <p><b>Threading.</b> {@link #locked} may be called from any thread; it serialises this process's threads
 * with a {@link ReentrantLock} (they share the descriptor, and with it the flock) and processes with the
 * flock. Safe across processes.
 */
final class RegistryFile implements AutoCloseable {
    static final int FILE_MODE = 0600;
    private static final VarHandle INT = JAVA_INT.varHandle();
    private static final VarHandle LONG = JAVA_LONG.varHandle();

    private final Path path;
    private final int fd;
    private final Arena arena;
    private final MemorySegment segment;
    private final RegistryConfig config;
    private final ReentrantLock lock = new ReentrantLock();
    private boolean closed;

    private RegistryFile(Path path, int fd, Arena arena, MemorySegment segment, RegistryConfig config) {
        this.path = path;
        this.fd = fd;
        this.arena = arena;
        this.segment = segment;
        this.config = config;
    }

    /** Opens {@code path}, creating it from {@code creating} when it does not exist (null: only open). */
    static RegistryFile openOrCreate(Path path, RegistryConfig creating) {
        Path dir = path.toAbsolutePath().getParent();
        try {
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create registry directory " + dir, e);
        }
        for (int attempt = 0; attempt < 3; attempt++) {
            int fd = Fcntl.open(path.toString(), Fcntl.O_RDWR | Fcntl.O_CLOEXEC | Fcntl.O_NOFOLLOW, 0);
            if (fd >= 0) {
                return open(path, fd);
            }
            if (creating == null) {
                throw new IllegalStateException("no reserve registry at " + path);
            }
            RegistryFile created = tryCreate(path, creating);
            if (created != null) {
                return created;
            }
            // another process linked its registry in between: open that one
        }
        throw new IllegalStateException("registry " + path + " keeps appearing and disappearing");
    }

    /** Writes a complete registry under a temporary name and links it to {@code path}; null if one exists. */
    private static RegistryFile tryCreate(Path path, RegistryConfig config) {
        Path tmp = path.resolveSibling(path.getFileName() + ".tmp-" + Unistd.getpid() + "-" + System.nanoTime());
        int fd = Fcntl.open(tmp.toString(), Fcntl.O_RDWR | Fcntl.O_CREAT | Fcntl.O_EXCL | Fcntl.O_CLOEXEC
                | Fcntl.O_NOFOLLOW, FILE_MODE);
        if (fd < 0) {
            throw new IllegalStateException("cannot create " + tmp + ": " + Errno.name(-fd));
        }
        Arena arena = Arena.ofShared();
        try {
            Stat.fchmod(fd, FILE_MODE);
            long length = fileLength(config.capacity());
            Unistd.ftruncate(fd, length);
            MemorySegment all = Mman.map(arena, length, Mman.PROT_READ | Mman.PROT_WRITE, Mman.MAP_SHARED, fd, 0);
            Mman.madvise(all, length, Mman.MADV_POPULATE_WRITE);
            ProcessIdentity self = ProcessIdentity.self();
            all.set(JAVA_LONG, MAGIC_OFFSET, MAGIC);
            all.set(JAVA_INT, HEADER_LENGTH_OFFSET, LENGTH);
            all.set(JAVA_INT, ENTRY_LENGTH_OFFSET, ReserveEntryDescriptor.LENGTH);
            all.set(JAVA_INT, CAPACITY_OFFSET, config.capacity());
            all.set(JAVA_INT, CPUS_OFFSET, config.cpus());
            all.set(JAVA_INT, POLICY_OFFSET, RegistryConfig.policyId(config.policy()));
            all.set(JAVA_INT, PLACEMENT_OFFSET, RegistryConfig.placementId(config.placement()));
            all.set(JAVA_INT, FIFO_PRIORITY_TOP_OFFSET, config.fifoPriorityTop());
            all.set(JAVA_INT, FIFO_PRIORITY_BOTTOM_OFFSET, config.fifoPriorityBottom());
            all.set(JAVA_INT, CREATOR_PID_OFFSET, self.pid());
            all.set(JAVA_LONG, CREATOR_START_TIME_OFFSET, self.startTime());
            // pairs with the acquire in validate(): an opener that sees the version sees the identity
            INT.setRelease(all, (long) VERSION_OFFSET, VERSION);
            try {
                Files.createLink(path, tmp); // link(2): atomic, fails when the name exists
            } catch (FileAlreadyExistsException e) {
                arena.close();
                Unistd.close(fd);
                Unistd.unlink(tmp.toString());
                return null;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot link " + tmp + " to " + path, e);
            }
            Unistd.unlink(tmp.toString());
            return new RegistryFile(path, fd, arena, all, config);
        } catch (RuntimeException | Error e) {
            if (arena.scope().isAlive()) {
                arena.close();
                Unistd.close(fd);
                Unistd.unlink(tmp.toString());
            }
            throw e;
        }
    }

    private static RegistryFile open(Path path, int fd) {
        Arena arena = Arena.ofShared();
        try (Arena probe = Arena.ofConfined()) {
            MemorySegment st = probe.allocate(Stat.STAT);
            Stat.fstat(fd, st);
            checkAccess(path, st);
            long size = Stat.st_size(st);
            if (size < LENGTH) {
                throw new IllegalStateException("registry " + path + " is " + size + " bytes, shorter than its header");
            }
            MemorySegment header = Mman.map(probe, LENGTH, Mman.PROT_READ, Mman.MAP_SHARED, fd, 0);
            RegistryConfig config = validate(path, header, size);
            MemorySegment all = Mman.map(arena, fileLength(config.capacity()), Mman.PROT_READ | Mman.PROT_WRITE,
                    Mman.MAP_SHARED, fd, 0);
            return new RegistryFile(path, fd, arena, all, config);
        } catch (RuntimeException | Error e) {
            arena.close();
            Unistd.close(fd);
            throw e;
        }
    }

    private static void checkAccess(Path path, MemorySegment st) {
        int mode = Stat.st_mode(st);
        if ((mode & Stat.S_IFMT) != Stat.S_IFREG) {
            throw new IllegalStateException("registry " + path + " is not a regular file");
        }
        if (Stat.st_uid(st) != Unistd.getuid()) {
            throw new IllegalStateException("registry " + path + " is owned by uid " + Stat.st_uid(st)
                    + ", we run as uid " + Unistd.getuid() + "; refusing a file another user could have written");
        }
        if ((mode & 077) != 0) {
            throw new IllegalStateException("registry " + path + " has mode 0" + Integer.toOctalString(mode & 07777)
                    + ", which lets group or others in; registries are 0600");
        }
    }

    /** Checks magic, version and lengths before anything is sliced; returns the configuration recorded. */
    static RegistryConfig validate(Path path, MemorySegment header, long fileSize) {
        long magic = header.get(JAVA_LONG, MAGIC_OFFSET);
        if (magic != MAGIC) {
            throw new IllegalStateException("'" + path + "' is not a reserve registry: magic 0x"
                    + Long.toHexString(magic) + ", expected 0x" + Long.toHexString(MAGIC) + " (\"DSI-RTUR\")");
        }
        int version = (int) INT.getAcquire(header, (long) VERSION_OFFSET);
        if (versionMajor(version) != VERSION_MAJOR) {
            throw new IllegalStateException("registry " + path + " has layout version " + versionString(version)
                    + ", this code reads " + versionString(VERSION) + " (major versions must match)");
        }
        int headerLength = header.get(JAVA_INT, HEADER_LENGTH_OFFSET);
        int entryLength = header.get(JAVA_INT, ENTRY_LENGTH_OFFSET);
        int capacity = header.get(JAVA_INT, CAPACITY_OFFSET);
        if (headerLength != LENGTH || entryLength != ReserveEntryDescriptor.LENGTH) {
            throw new IllegalStateException("registry " + path + " has header/entry lengths " + headerLength + "/"
                    + entryLength + ", expected " + LENGTH + "/" + ReserveEntryDescriptor.LENGTH);
        }
        if (capacity < 1 || capacity > 65_536 || fileLength(capacity) > fileSize) {
            throw new IllegalStateException("registry " + path + " claims " + capacity + " entries, but the file is "
                    + fileSize + " bytes");
        }
        try {
            return new RegistryConfig(capacity, header.get(JAVA_INT, CPUS_OFFSET),
                    RegistryConfig.policyOf(header.get(JAVA_INT, POLICY_OFFSET)),
                    RegistryConfig.placementOf(header.get(JAVA_INT, PLACEMENT_OFFSET)),
                    header.get(JAVA_INT, FIFO_PRIORITY_TOP_OFFSET), header.get(JAVA_INT, FIFO_PRIORITY_BOTTOM_OFFSET));
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("registry " + path + " has a corrupt configuration: " + e.getMessage(), e);
        }
    }

    Path path() {
        return path;
    }

    MemorySegment segment() {
        return segment;
    }

    RegistryConfig config() {
        return config;
    }

    /** Runs {@code body} holding the registry lock (this process's threads and every other process). */
    <T> T locked(Supplier<T> body) {
        lock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("registry " + path + " is closed");
            }
            int rc;
            do {
                rc = SysFile.flock(fd, SysFile.LOCK_EX);
            } while (rc == -Errno.EINTR);
            try {
                return body.get();
            } finally {
                SysFile.flock(fd, SysFile.LOCK_UN);
            }
        } finally {
            lock.unlock();
        }
    }

    long acquireGeneration() {
        return (long) LONG.getAcquire(segment, (long) GENERATION_OFFSET);
    }

    /** Under the lock, after a change: pairs with {@link #acquireGeneration()} in readers. */
    void bumpGeneration() {
        LONG.setRelease(segment, (long) GENERATION_OFFSET, segment.get(JAVA_LONG, GENERATION_OFFSET) + 1);
    }

    /** Under the lock. */
    long nextAdmissionSeq() {
        long next = segment.get(JAVA_LONG, ADMISSION_SEQ_OFFSET) + 1;
        segment.set(JAVA_LONG, ADMISSION_SEQ_OFFSET, next);
        return next;
    }

    long opaqueCounter(RegistryCounter counter) {
        return (long) LONG.getOpaque(segment, (long) counter.offset());
    }

    /** Under the lock (one writer at a time). */
    void incrementCounter(RegistryCounter counter, long delta) {
        LONG.setOpaque(segment, (long) counter.offset(), segment.get(JAVA_LONG, counter.offset()) + delta);
    }

    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            arena.close();
            Unistd.close(fd);
        } finally {
            lock.unlock();
        }
    }
}
