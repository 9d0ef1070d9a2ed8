package io.dsipanama.stream;

import io.dsipanama.ffm.Fcntl;
import io.dsipanama.ffm.Mman;
import io.dsipanama.ffm.support.ProcessIdentity;
import io.dsipanama.ffm.Stat;
import io.dsipanama.ffm.Time;
import io.dsipanama.ffm.Unistd;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

import static io.dsipanama.stream.StreamAccessException.Reason.*;
import static io.dsipanama.stream.StreamFormatException.Reason.*;

/**
 * Named streams: one file per stream in a private root directory (default {@value #DEFAULT_ROOT}, or the
 * system property {@value #ROOT_PROPERTY}), created mode 0700; stream files are mode 0600.
 *
 * <p><b>Creation</b> (STYLE rule 8): open with {@code O_CREAT|O_EXCL} (two creators cannot both win),
 * size with ftruncate, map {@code MAP_SHARED}, pre-fault with {@code MADV_POPULATE_WRITE} (no page faults
 * on the first packets), write the header with version 0, then publish by storing the version last with
 * release. <b>Opening</b> waits (bounded) while the version is 0, then checks magic, major version, owner,
 * mode and every offset and length against the file before making any slice ({@link StreamLayout}).
 *
 * <p>Names are 1..{@value #MAX_NAME_LENGTH} characters of {@code [A-Za-z0-9._-]}, not starting with '.'
 * and without "..": they can never leave the root or hide. A bad name is refused before anything touches
 * the disk.
 *
 * <p><b>Threading.</b> Stateless apart from the root path: any thread may call any method, and several
 * processes may use one root at once; O_EXCL and the version publication are what make that safe.
 */
public final class StreamDirectory {
    public static final String ROOT_PROPERTY = "dsi.stream.root";
    public static final String DEFAULT_ROOT = "/dev/shm/dsi-panama";
    public static final Duration DEFAULT_PUBLISH_WAIT = Duration.ofSeconds(2);
    public static final int MAX_NAME_LENGTH = 200;
    public static final int FILE_MODE = 0600;

    private static final long POLL_NS = 1_000_000;

    private final Path root;

    /** The root from {@value #ROOT_PROPERTY}, else {@value #DEFAULT_ROOT}. */
    public StreamDirectory() {
        this(Path.of(System.getProperty(ROOT_PROPERTY, DEFAULT_ROOT)));
    }

    /** Uses {@code root}, creating it (mode 0700) if it does not exist. */
    public StreamDirectory(Path root) {
        this.root = root.toAbsolutePath();
        try {
            if (!Files.isDirectory(this.root)) {
                Files.createDirectories(this.root, PosixFilePermissions.asFileAttribute(
                        PosixFilePermissions.fromString("rwx------")));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create stream root " + this.root, e);
        }
    }

    public Path root() {
        return root;
    }

    /** Throws {@link StreamAccessException} ({@code BAD_NAME}) unless {@code name} is a valid stream name. */
    public static void validateName(String name) {
        String why = null;
        if (name == null || name.isEmpty()) {
            why = "is empty";
        } else if (name.length() > MAX_NAME_LENGTH) {
            why = "is " + name.length() + " characters, more than " + MAX_NAME_LENGTH;
        } else if (name.startsWith(".")) {
            why = "starts with '.' (hidden, or a path step)";
        } else if (name.contains("..")) {
            why = "contains '..'";
        } else {
            for (int i = 0; i < name.length(); i++) {
                char c = name.charAt(i);
                boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                        || c == '.' || c == '_' || c == '-';
                if (!ok) {
                    why = "contains '" + (c == '/' ? "/" : String.valueOf(c)) + "' at " + i
                            + "; allowed are A-Z a-z 0-9 . _ -";
                    break;
                }
            }
        }
        if (why != null) {
            String shown = name == null ? "null" : name.length() > 40 ? name.substring(0, 40) + "..." : name;
            throw new StreamAccessException(BAD_NAME, "stream name '" + shown + "' " + why);
        }
    }

    public Path pathOf(String name) {
        validateName(name);
        return root.resolve(name);
    }

    /** Creates and publishes a stream; the returned mapping has the {@link StreamRole#PRODUCER} view. */
    public StreamMapping create(String name, StreamSpec spec) {
        Path path = pathOf(name);
        long page = Unistd.pageSize();
        StreamSpec fixed = spec.withEpoch(Time.monotonicNs());
        StreamLayout layout = StreamLayout.forSpec(fixed, page);
        int fd = Fcntl.open(path.toString(), Fcntl.O_RDWR | Fcntl.O_CREAT | Fcntl.O_EXCL | Fcntl.O_CLOEXEC
                | Fcntl.O_NOFOLLOW, FILE_MODE);
        if (fd == -io.dsipanama.ffm.Errno.EEXIST) {
            throw new StreamAccessException(ALREADY_EXISTS, "stream '" + name + "' already exists at " + path);
        }
        if (fd < 0) {
            throw new StreamAccessException(NOT_FOUND, "stream root " + root + " does not exist");
        }
        Arena arena = Arena.ofShared();
        try {
            Stat.fchmod(fd, FILE_MODE); // the umask may have removed bits; make the mode exact
            Unistd.ftruncate(fd, layout.fileLength());
            MemorySegment all = Mman.map(arena, layout.fileLength(), Mman.PROT_READ | Mman.PROT_WRITE,
                    Mman.MAP_SHARED, fd, 0);
            // best effort: kernels before 5.14 answer EINVAL and the pages fault in on first use instead
            Mman.madvise(all, all.byteSize(), Mman.MADV_POPULATE_WRITE);
            if (fixed.lockInMemory()) {
                MemoryLock.lock(name, "header, control and data areas", all, all.byteSize());
            }
            StreamHeader header = new StreamHeader(all);
            header.writeIdentity(fixed, layout.controlLength(), ProcessIdentity.self());
            // pairs with acquireVersion() in open(): everything above is visible to an opener that sees it
            header.releaseVersion(StreamHeaderDescriptor.VERSION);
            return new StreamMapping(name, path, StreamRole.PRODUCER, fixed, layout, arena, fd,
                    all.asSlice(0, layout.dataOffset()), all.asSlice(layout.dataOffset(), layout.dataLength()), 0);
        } catch (RuntimeException | Error e) {
            arena.close();
            Unistd.close(fd);
            Unistd.unlink(path.toString());
            throw e;
        }
    }

    /** {@link #open(String, StreamRole, Duration)} with {@link #DEFAULT_PUBLISH_WAIT}. */
    public StreamMapping open(String name, StreamRole role) {
        return open(name, role, DEFAULT_PUBLISH_WAIT);
    }

    /**
     * Opens and validates a published stream, waiting up to {@code publishWait} while it is still being
     * created (version 0, or size 0 between the creator's open and ftruncate).
     */
    public StreamMapping open(String name, StreamRole role, Duration publishWait) {
        Path path = pathOf(name);
        int flags = (role == StreamRole.OBSERVER ? Fcntl.O_RDONLY : Fcntl.O_RDWR) | Fcntl.O_CLOEXEC | Fcntl.O_NOFOLLOW;
        int fd = Fcntl.open(path.toString(), flags, 0);
        if (fd < 0) {
            throw new StreamAccessException(NOT_FOUND, "no stream '" + name + "' in " + root);
        }
        Arena arena = Arena.ofShared();
        try {
            long fileLength = awaitPublished(name, fd, publishWait);
            long page = Unistd.pageSize();
            StreamLayout layout;
            StreamSpec spec;
            long lockDemand;
            try (Arena probe = Arena.ofConfined()) {
                StreamHeader header = new StreamHeader(Mman.map(probe, StreamHeaderDescriptor.LENGTH, Mman.PROT_READ,
                        Mman.MAP_SHARED, fd, 0));
                checkIdentity(name, header);
                layout = StreamLayout.validate(name, header, fileLength, page);
                spec = StreamLayout.specOf(name, header);
                lockDemand = LockBlock.demand(header.segment()); // before the mlock below: see LockDemand
            }
            int prot = role == StreamRole.OBSERVER ? Mman.PROT_READ : Mman.PROT_READ | Mman.PROT_WRITE;
            MemorySegment headerAndControl = Mman.map(arena, layout.dataOffset(), prot, Mman.MAP_SHARED, fd, 0);
            if (role == StreamRole.OBSERVER) {
                headerAndControl = headerAndControl.asReadOnly();
            }
            MemorySegment data;
            if (role == StreamRole.PRODUCER) {
                data = Mman.map(arena, layout.dataLength(), Mman.PROT_READ | Mman.PROT_WRITE, Mman.MAP_SHARED, fd,
                        layout.dataOffset());
            } else {
                // PROT_READ for the OS, asReadOnly so a Java write throws instead of SIGSEGV (see StreamMapping)
                data = Mman.map(arena, layout.dataLength(), Mman.PROT_READ, Mman.MAP_SHARED, fd, layout.dataOffset())
                        .asReadOnly();
            }
            if (spec.lockInMemory() && role != StreamRole.OBSERVER) {
                MemoryLock.lock(name, "header and control area", headerAndControl, headerAndControl.byteSize());
                MemoryLock.lock(name, "data area", data, data.byteSize());
            }
            return new StreamMapping(name, path, role, spec, layout, arena, fd, headerAndControl, data, lockDemand);
        } catch (RuntimeException | Error e) {
            arena.close();
            Unistd.close(fd);
            throw e;
        }
    }

    /** Checks owner, mode and type, then waits for a published version; returns the file's size. */
    private static long awaitPublished(String name, int fd, Duration publishWait) {
        long deadline = System.nanoTime() + publishWait.toNanos();
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment stat = scratch.allocate(Stat.STAT);
            while (true) {
                Stat.fstat(fd, stat);
                checkAccess(name, stat);
                long size = Stat.st_size(stat);
                if (size > 0 && size < StreamHeaderDescriptor.LENGTH) {
                    throw new StreamFormatException(SHORT_FILE, "stream '" + name + "': file is " + size
                            + " bytes, shorter than the " + StreamHeaderDescriptor.LENGTH + "-byte header");
                }
                int version = 0;
                if (size > 0) {
                    try (Arena probe = Arena.ofConfined()) {
                        version = new StreamHeader(Mman.map(probe, StreamHeaderDescriptor.LENGTH, Mman.PROT_READ,
                                Mman.MAP_SHARED, fd, 0)).acquireVersion();
                    }
                }
                if (version != 0) {
                    return size;
                }
                if (System.nanoTime() - deadline >= 0) {
                    throw new StreamFormatException(NOT_PUBLISHED, "stream '" + name + "': version still 0 after "
                            + publishWait.toMillis() + " ms" + (size == 0 ? " (file still empty)" : "")
                            + ": its creator is still initialising it, or died doing so (remove it if so)");
                }
                LockSupport.parkNanos(POLL_NS);
            }
        }
    }

    private static void checkAccess(String name, MemorySegment stat) {
        int mode = Stat.st_mode(stat);
        if ((mode & Stat.S_IFMT) != Stat.S_IFREG) {
            throw new StreamAccessException(NOT_REGULAR_FILE, "stream '" + name + "' is not a regular file (mode 0"
                    + Integer.toOctalString(mode) + ")");
        }
        int uid = Stat.st_uid(stat);
        int self = Unistd.getuid();
        if (uid != self) {
            throw new StreamAccessException(WRONG_OWNER, "stream '" + name + "' is owned by uid " + uid
                    + ", we run as uid " + self + "; refusing a stream another user could have written");
        }
        if ((mode & 077) != 0) {
            throw new StreamAccessException(WRONG_MODE, "stream '" + name + "' has mode 0"
                    + Integer.toOctalString(mode & 07777) + ", which lets group or others in; streams are 0"
                    + Integer.toOctalString(FILE_MODE));
        }
    }

    private static void checkIdentity(String name, StreamHeader header) {
        long magic = header.magic();
        if (magic != StreamHeaderDescriptor.MAGIC) {
            throw new StreamFormatException(NOT_A_STREAM, "'" + name + "' is not a stream: magic 0x"
                    + Long.toHexString(magic) + ", expected 0x" + Long.toHexString(StreamHeaderDescriptor.MAGIC)
                    + " (\"DSI-STRM\")");
        }
        int version = header.acquireVersion();
        if (StreamHeaderDescriptor.versionMajor(version) != StreamHeaderDescriptor.VERSION_MAJOR) {
            throw new StreamFormatException(OTHER_VERSION, "stream '" + name + "' has layout version "
                    + StreamHeaderDescriptor.versionString(version) + ", this code reads "
                    + StreamHeaderDescriptor.versionString(StreamHeaderDescriptor.VERSION)
                    + " (major versions must match)");
        }
    }

    /** Every stream-named file in the root, valid or not (see {@link StreamInfo#problem()}), sorted by name. */
    public List<StreamInfo> list() {
        List<String> names = new ArrayList<>();
        try (Stream<Path> files = Files.list(root)) {
            files.map(p -> p.getFileName().toString()).filter(StreamDirectory::isValidName).sorted().forEach(names::add);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + root, e);
        }
        List<StreamInfo> infos = new ArrayList<>(names.size());
        for (String name : names) {
            try (StreamMapping m = open(name, StreamRole.OBSERVER, Duration.ZERO)) {
                StreamHeader h = m.header();
                infos.add(new StreamInfo(name, StreamHeaderDescriptor.versionString(h.acquireVersion()), m.spec(),
                        h.creator(), h.acquireProducer(), h.acquireConsumer(), StreamStats.read(m), null));
            } catch (StreamException e) {
                infos.add(new StreamInfo(name, null, null, StreamInfo.NOBODY, StreamInfo.NOBODY, StreamInfo.NOBODY,
                        null, e.getMessage()));
            }
        }
        return infos;
    }

    /** Valid streams whose creator, producer and consumer are all gone (pid absent or start time changed). */
    public List<StreamInfo> findStale() {
        return list().stream().filter(StreamInfo::stale).toList();
    }

    /**
     * Asks the ends of stream {@code name} to give up their memory lock (see {@link MemoryLock}): increments
     * its {@code lock_demand} word, from any process, with no effect on data or peers. Each locked end answers
     * on its own thread (within {@value LockDemand#CHECK_EVERY_PACKETS} packets, or one 100 ms wait slice
     * when blocked) with munlock and {@link LockState#DEMOTED}, seen in {@link StreamStats}. Ends that attach
     * later lock again: a request takes the lock from the holders of the moment. Returns the new demand value.
     */
    public long demoteLock(String name) {
        Path path = pathOf(name);
        int fd = Fcntl.open(path.toString(), Fcntl.O_RDWR | Fcntl.O_CLOEXEC | Fcntl.O_NOFOLLOW, 0);
        if (fd < 0) {
            throw new StreamAccessException(NOT_FOUND, "no stream '" + name + "' in " + root);
        }
        try (Arena scratch = Arena.ofConfined()) {
            awaitPublished(name, fd, DEFAULT_PUBLISH_WAIT); // also checks owner, mode and size
            StreamHeader header = new StreamHeader(Mman.map(scratch, StreamHeaderDescriptor.LENGTH,
                    Mman.PROT_READ | Mman.PROT_WRITE, Mman.MAP_SHARED, fd, 0));
            checkIdentity(name, header);
            return LockBlock.request(header.segment());
        } finally {
            Unistd.close(fd);
        }
    }

    /**
     * The resource manager's policy: frees at least {@code bytesNeeded} bytes of locked stream memory if the
     * locked streams hold that much. Rule: <b>largest first</b> (by {@link StreamStats#lockedBytes()}, ties by
     * name), because each demoted stream costs its holders their latency guarantee, so the fewest streams
     * should pay for the bytes; only streams with a live LOCKED end count. Sends the requests
     * ({@link #demoteLock}) and returns the names asked, in that order; the ends answer asynchronously.
     */
    public List<String> demoteLocks(long bytesNeeded) {
        List<StreamInfo> locked = new ArrayList<>();
        for (StreamInfo s : list()) {
            if (s.problem() == null && s.stats().lockedBytes() > 0) {
                locked.add(s);
            }
        }
        locked.sort(java.util.Comparator.comparingLong((StreamInfo s) -> -s.stats().lockedBytes())
                .thenComparing(StreamInfo::name));
        List<String> asked = new ArrayList<>();
        long freed = 0;
        for (StreamInfo s : locked) {
            if (freed >= bytesNeeded) {
                break;
            }
            demoteLock(s.name());
            asked.add(s.name());
            freed += s.stats().lockedBytes();
        }
        return asked;
    }

    /** Unlinks a stream; mappings still open keep working. Returns false if there was none. */
    public boolean remove(String name) {
        return Unistd.unlink(pathOf(name).toString()) == 0;
    }

    private static boolean isValidName(String name) {
        try {
            validateName(name);
            return true;
        } catch (StreamAccessException e) {
            return false;
        }
    }
}
