package io.dsipanama.stream;

import io.dsipanama.ffm.Fcntl;
import io.dsipanama.ffm.Mman;
import io.dsipanama.ffm.support.ProcessIdentity;
import io.dsipanama.ffm.Stat;
import io.dsipanama.ffm.Unistd;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static io.dsipanama.stream.ChainAreaDescriptor.*;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * One process's mapping of a pipeline's shared data area ({@link ChainAreaDescriptor}): the file
 * {@code ROOT.chains/NAME} next to the stream root of a {@link StreamDirectory} (a sibling directory, so
 * stream listings never see it). Created like a stream file (O_EXCL, 0600, pre-faulted, version last);
 * opening validates magic, version, sizes and offsets against the file before slicing.
 *
 * <p>Streams join the area through a {@link ChainHolder}. The area also answers "which block, and is it
 * revoked" for a data offset ({@link #blockAt}, {@link #isRevoked}): the lookup a page-fault watcher needs
 * to turn a faulting address ({@link #dataFileOffset()} + offset) into "block X was revoked".
 *
 * <p><b>Threading.</b> Any thread; the segments are shared across processes. {@link #close()} unmaps:
 * close every holder first.
 */
public final class ChainArea implements AutoCloseable {
    private static final VarHandle LONG = JAVA_LONG.varHandle();
    private static final VarHandle INT = JAVA_INT.varHandle();

    private final String name;
    private final StreamDirectory directory;
    private final Arena arena;
    private final int fd;
    private final MemorySegment all;
    private final MemorySegment blocks;
    private final MemorySegment data;
    private final int blockBytes;
    private final int blockCount;
    private final long dataOffset;
    private boolean closed;

    private ChainArea(String name, StreamDirectory directory, Arena arena, int fd, MemorySegment all, int blockBytes,
                      int blockCount, long blocksOffset, long dataOffset) {
        this.name = name;
        this.directory = directory;
        this.arena = arena;
        this.fd = fd;
        this.all = all;
        this.blockBytes = blockBytes;
        this.blockCount = blockCount;
        this.dataOffset = dataOffset;
        this.blocks = all.asSlice(blocksOffset, (long) blockCount * BLOCK_WORD_LENGTH);
        this.data = all.asSlice(dataOffset, (long) blockCount * blockBytes);
    }

    /** The chain file of {@code name} for streams of {@code directory}. */
    public static Path pathOf(StreamDirectory directory, String name) {
        StreamDirectory.validateName(name);
        Path root = directory.root();
        return root.resolveSibling(root.getFileName() + ".chains").resolve(name);
    }

    /** Creates and publishes the shared data area {@code name}. */
    public static ChainArea create(StreamDirectory directory, String name, ChainSpec spec) {
        Path path = pathOf(directory, name);
        try {
            Files.createDirectories(path.getParent(), PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rwx------")));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + path.getParent(), e);
        }
        long page = Unistd.pageSize();
        long blocksOffset = blocksOffset(page);
        long dataOffset = ChainAreaDescriptor.dataOffset(spec.blockCount(), page);
        long fileLength = dataOffset + spec.dataBytes();
        int fd = Fcntl.open(path.toString(), Fcntl.O_RDWR | Fcntl.O_CREAT | Fcntl.O_EXCL | Fcntl.O_CLOEXEC
                | Fcntl.O_NOFOLLOW, StreamDirectory.FILE_MODE);
        if (fd < 0) {
            throw new StreamAccessException(StreamAccessException.Reason.ALREADY_EXISTS, "chain '" + name
                    + "': cannot create " + path + " (errno " + -fd + ")");
        }
        Arena arena = Arena.ofShared();
        try {
            Stat.fchmod(fd, StreamDirectory.FILE_MODE);
            Unistd.ftruncate(fd, fileLength);
            MemorySegment all = Mman.map(arena, fileLength, Mman.PROT_READ | Mman.PROT_WRITE, Mman.MAP_SHARED, fd, 0);
            Mman.madvise(all, all.byteSize(), Mman.MADV_POPULATE_WRITE); // best effort, as for streams
            all.set(JAVA_LONG, MAGIC_OFFSET, MAGIC);
            all.set(JAVA_INT, BLOCK_BYTES_OFFSET, spec.blockBytes());
            all.set(JAVA_INT, BLOCK_COUNT_OFFSET, spec.blockCount());
            ProcessIdentity self = ProcessIdentity.self();
            all.set(JAVA_INT, CREATOR_PID_OFFSET, self.pid());
            all.set(JAVA_LONG, CREATOR_START_TIME_OFFSET, self.startTime());
            all.set(JAVA_LONG, BLOCKS_OFFSET_OFFSET, blocksOffset);
            all.set(JAVA_LONG, DATA_OFFSET_OFFSET, dataOffset);
            // block words are zero = FREE generation 0; pairs with the getAcquire in open()
            INT.setRelease(all, (long) VERSION_OFFSET, VERSION);
            return new ChainArea(name, directory, arena, fd, all, spec.blockBytes(), spec.blockCount(), blocksOffset,
                    dataOffset);
        } catch (RuntimeException | Error e) {
            arena.close();
            Unistd.close(fd);
            Unistd.unlink(path.toString());
            throw e;
        }
    }

    /** Opens and validates an existing area. */
    public static ChainArea open(StreamDirectory directory, String name) {
        Path path = pathOf(directory, name);
        int fd = Fcntl.open(path.toString(), Fcntl.O_RDWR | Fcntl.O_CLOEXEC | Fcntl.O_NOFOLLOW, 0);
        if (fd < 0) {
            throw new StreamAccessException(StreamAccessException.Reason.NOT_FOUND, "no chain '" + name + "' at " + path);
        }
        Arena arena = Arena.ofShared();
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment stat = scratch.allocate(Stat.STAT);
            Stat.fstat(fd, stat);
            long fileLength = Stat.st_size(stat);
            String where = "chain '" + name + "': ";
            if ((Stat.st_mode(stat) & 077) != 0 || Stat.st_uid(stat) != Unistd.getuid()) {
                throw new StreamAccessException(StreamAccessException.Reason.WRONG_MODE, where + "not a private file of ours");
            }
            check(fileLength >= HEADER_LENGTH, where + "file of " + fileLength + " bytes has no header");
            MemorySegment head = Mman.map(scratch, HEADER_LENGTH, Mman.PROT_READ, Mman.MAP_SHARED, fd, 0);
            check(head.get(JAVA_LONG, MAGIC_OFFSET) == MAGIC, where + "bad magic");
            int version = (int) INT.getAcquire(head, (long) VERSION_OFFSET);
            check(version == VERSION, where + "version 0x" + Integer.toHexString(version) + ", expected 0x"
                    + Integer.toHexString(VERSION));
            int blockBytes = head.get(JAVA_INT, BLOCK_BYTES_OFFSET);
            int blockCount = head.get(JAVA_INT, BLOCK_COUNT_OFFSET);
            ChainSpec spec;
            try {
                spec = new ChainSpec(blockBytes, blockCount);
            } catch (IllegalArgumentException e) {
                throw new StreamFormatException(StreamFormatException.Reason.INCONSISTENT_LAYOUT, where + e.getMessage());
            }
            long page = Unistd.pageSize();
            long blocksOffset = blocksOffset(page);
            long dataOffset = ChainAreaDescriptor.dataOffset(blockCount, page);
            check(head.get(JAVA_LONG, BLOCKS_OFFSET_OFFSET) == blocksOffset
                    && head.get(JAVA_LONG, DATA_OFFSET_OFFSET) == dataOffset, where + "offsets do not match the sizes");
            check(fileLength == dataOffset + spec.dataBytes(), where + "file is " + fileLength + " bytes, expected "
                    + (dataOffset + spec.dataBytes()));
            MemorySegment all = Mman.map(arena, fileLength, Mman.PROT_READ | Mman.PROT_WRITE, Mman.MAP_SHARED, fd, 0);
            return new ChainArea(name, directory, arena, fd, all, blockBytes, blockCount, blocksOffset, dataOffset);
        } catch (RuntimeException | Error e) {
            arena.close();
            Unistd.close(fd);
            throw e;
        }
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new StreamFormatException(StreamFormatException.Reason.INCONSISTENT_LAYOUT, message);
        }
    }

    /** Attaches the calling thread as a holder (see {@link ChainHolder}). */
    public ChainHolder attach() {
        return ChainHolder.attach(this);
    }

    public String name() {
        return name;
    }

    public StreamDirectory directory() {
        return directory;
    }

    public int blockBytes() {
        return blockBytes;
    }

    public int blockCount() {
        return blockCount;
    }

    /** The data area (read-write), block i at {@code i * blockBytes()}. */
    public MemorySegment data() {
        return data;
    }

    /** Where the data area starts in the file: a fault at data offset x is at file offset this + x. */
    public long dataFileOffset() {
        return dataOffset;
    }

    /** The block holding data offset {@code offset}, or -1 if the offset is outside the data area. */
    public int blockAt(long offset) {
        return offset < 0 || offset >= data.byteSize() ? -1 : (int) (offset / blockBytes);
    }

    /**
     * True if the block holding data offset {@code offset} is revoked: the lookup for a page-fault watcher
     * (and what {@link Packet#isStillValid()} asks for a chained packet). False outside the area.
     */
    public boolean isRevoked(long offset) {
        int b = blockAt(offset);
        return b >= 0 && code(acquireWord(b)) == REVOKED;
    }

    /** Blocks not FREE now (a snapshot; exact when no holder is active). */
    public int blocksInUse() {
        int n = 0;
        for (int b = 0; b < blockCount; b++) {
            n += code(acquireWord(b)) == FREE ? 0 : 1;
        }
        return n;
    }

    /** The raw word of block {@code b}, for tests and tools ({@link ChainAreaDescriptor} decodes it). */
    public long acquireWord(int b) {
        return (long) LONG.getAcquire(blocks, (long) b * BLOCK_WORD_LENGTH);
    }

    boolean casWord(int b, long expected, long update) {
        return LONG.compareAndSet(blocks, (long) b * BLOCK_WORD_LENGTH, expected, update);
    }

    MemorySegment segment() {
        return all;
    }

    /** Punches block {@code b}'s pages out of the file: freed, and unmapped from every process. */
    void punch(int b) {
        Fcntl.fallocate(fd, Fcntl.FALLOC_FL_PUNCH_HOLE | Fcntl.FALLOC_FL_KEEP_SIZE,
                dataOffset + (long) b * blockBytes, blockBytes);
    }

    /** Sum of one holder-record counter over all records (a snapshot). */
    public long counter(int holderFieldOffset) {
        long sum = 0;
        for (int h = 0; h < MAX_HOLDERS; h++) {
            sum += (long) LONG.getOpaque(all, holderRecord(h) + holderFieldOffset);
        }
        return sum;
    }

    /** Unmaps (idempotent). Holders of this process must be closed first. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            arena.close();
        } finally {
            Unistd.close(fd);
        }
    }

    /** Unlinks the area's file; mappings stay valid. */
    public static boolean remove(StreamDirectory directory, String name) {
        return Unistd.unlink(pathOf(directory, name).toString()) == 0;
    }
}
