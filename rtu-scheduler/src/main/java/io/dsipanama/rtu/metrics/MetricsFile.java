package io.dsipanama.rtu.metrics;

import io.dsipanama.ffm.Errno;
import io.dsipanama.ffm.Fcntl;
import io.dsipanama.ffm.Mman;
import io.dsipanama.ffm.Stat;
import io.dsipanama.ffm.Time;
import io.dsipanama.ffm.Unistd;
import io.dsipanama.ffm.support.ProcessIdentity;
import io.dsipanama.rtu.registry.ReserveId;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

import static io.dsipanama.rtu.metrics.MetricsFileDescriptor.*;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The owning side of a metrics file ({@link MetricsFileDescriptor}): created with {@code O_EXCL}, mode 0600,
 * initialised, published by the version written last; slots are activated for reserves and rewritten by
 * {@link #publish}. The file is unlinked at {@link #close()}; one left by a killed process is removed by
 * the next scheduler that starts in the same directory ({@link MetricsReader#removeStale}).
 *
 * <p><b>Threading.</b> {@link #activate} and {@link #deactivate} from the scheduler's control paths,
 * {@link #publish} from the publisher thread; they touch different slots or different fields of one slot.
 */
public final class MetricsFile implements AutoCloseable {
    public static final String PREFIX = "metrics.";
    private static final AtomicInteger NEXT = new AtomicInteger();
    private static final VarHandle INT = JAVA_INT.varHandle();
    private static final VarHandle LONG = JAVA_LONG.varHandle();

    private final Path path;
    private final Arena arena;
    private final int fd;
    private final MemorySegment file;
    private final int slots;
    private final int slotLength;
    private final int histogramCapacity;
    private boolean closed;

    private MetricsFile(Path path, Arena arena, int fd, MemorySegment file, int slots, int slotLength, int histogramCapacity) {
        this.path = path;
        this.arena = arena;
        this.fd = fd;
        this.file = file;
        this.slots = slots;
        this.slotLength = slotLength;
        this.histogramCapacity = histogramCapacity;
    }

    /** Creates {@code dir/metrics.PID.N} with {@code slots} reserve slots. */
    public static MetricsFile create(Path dir, int slots, int backendId, boolean realTime, String backendReason) {
        int capacity = (ReserveHistograms.encodedCapacity() + 63) & ~63;
        int slotLength = slotLength(capacity);
        Path path = dir.resolve(PREFIX + Unistd.getpid() + "." + NEXT.incrementAndGet());
        int fd = Fcntl.open(path.toString(), Fcntl.O_RDWR | Fcntl.O_CREAT | Fcntl.O_EXCL | Fcntl.O_CLOEXEC
                | Fcntl.O_NOFOLLOW, 0600);
        if (fd < 0) {
            throw new IllegalStateException("cannot create metrics file " + path + ": " + Errno.name(-fd));
        }
        Arena arena = Arena.ofShared();
        try {
            Stat.fchmod(fd, 0600);
            long length = fileLength(slots, slotLength);
            Unistd.ftruncate(fd, length);
            MemorySegment m = Mman.map(arena, length, Mman.PROT_READ | Mman.PROT_WRITE, Mman.MAP_SHARED, fd, 0);
            Mman.madvise(m, length, Mman.MADV_POPULATE_WRITE);
            ProcessIdentity self = ProcessIdentity.self();
            m.set(JAVA_LONG, MAGIC_OFFSET, MAGIC);
            m.set(JAVA_INT, HEADER_LENGTH_OFFSET, HEADER_LENGTH);
            m.set(JAVA_INT, SLOT_COUNT_OFFSET, slots);
            m.set(JAVA_INT, SLOT_LENGTH_OFFSET, slotLength);
            m.set(JAVA_INT, HISTOGRAM_CAPACITY_OFFSET, capacity);
            m.set(JAVA_INT, OWNER_PID_OFFSET, self.pid());
            m.set(JAVA_LONG, OWNER_START_TIME_OFFSET, self.startTime());
            m.set(JAVA_INT, BACKEND_OFFSET, backendId);
            m.set(JAVA_INT, REAL_TIME_OFFSET, realTime ? 1 : 0);
            m.set(JAVA_LONG, HISTOGRAM_LOWEST_NS_OFFSET, ReserveHistograms.LOWEST_NS);
            m.set(JAVA_LONG, HISTOGRAM_HIGHEST_NS_OFFSET, ReserveHistograms.HIGHEST_NS);
            m.set(JAVA_INT, HISTOGRAM_DIGITS_OFFSET, ReserveHistograms.DIGITS);
            byte[] reason = backendReason.getBytes(StandardCharsets.US_ASCII);
            MemorySegment.copy(reason, 0, m, JAVA_BYTE, BACKEND_REASON_OFFSET, Math.min(reason.length, BACKEND_REASON_LENGTH - 1));
            // pairs with the acquire of the version in MetricsReader.open
            INT.setRelease(m, (long) VERSION_OFFSET, VERSION);
            return new MetricsFile(path, arena, fd, m, slots, slotLength, capacity);
        } catch (RuntimeException | Error e) {
            arena.close();
            Unistd.close(fd);
            Unistd.unlink(path.toString());
            throw e;
        }
    }

    public Path path() {
        return path;
    }

    public int slots() {
        return slots;
    }

    /** Marks {@code slot} as holding reserve {@code id}'s histograms, starting empty. */
    public void activate(int slot, ReserveId id) {
        long base = slotOffset(slot, slotLength);
        file.asSlice(base, slotLength).fill((byte) 0);
        file.set(JAVA_INT, base + REGISTRY_SLOT_OFFSET, id.slot());
        file.set(JAVA_INT, base + REGISTRY_GENERATION_OFFSET, id.generation());
        // pairs with the acquire of state in MetricsReader: the ids are visible first
        INT.setRelease(file, base + STATE_OFFSET, STATE_ACTIVE);
    }

    public void deactivate(int slot) {
        INT.setRelease(file, slotOffset(slot, slotLength) + STATE_OFFSET, STATE_FREE);
    }

    /** Publisher: writes {@code histograms}' cumulative state into {@code slot} under the slot's seqlock. */
    public void publish(int slot, ReserveHistograms histograms) {
        long base = slotOffset(slot, slotLength);
        long seq = file.get(JAVA_LONG, base + PUBLISH_SEQ_OFFSET);
        LONG.setOpaque(file, base + PUBLISH_SEQ_OFFSET, seq + 1);
        VarHandle.storeStoreFence(); // the odd sequence is visible before any histogram byte changes
        int jitter = encode(histograms.jitter(), base + SLOT_HEADER_LENGTH);
        int response = encode(histograms.response(), base + SLOT_HEADER_LENGTH + histogramCapacity);
        file.set(JAVA_INT, base + JITTER_LENGTH_OFFSET, jitter);
        file.set(JAVA_INT, base + RESPONSE_LENGTH_OFFSET, response);
        file.set(JAVA_LONG, base + PUBLISHED_AT_NS_OFFSET, Time.monotonicNs());
        // pairs with the acquire and the re-read of publish_seq in MetricsReader.readSlot
        LONG.setRelease(file, base + PUBLISH_SEQ_OFFSET, seq + 2);
    }

    private int encode(org.HdrHistogram.Histogram histogram, long offset) {
        ByteBuffer buffer = file.asSlice(offset, histogramCapacity).asByteBuffer();
        return histogram.encodeIntoByteBuffer(buffer);
    }

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
            Unistd.unlink(path.toString());
        }
    }
}
