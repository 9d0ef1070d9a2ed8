package io.dsipanama.rtu.metrics;

import io.dsipanama.ffm.support.ProcessIdentity;
import io.dsipanama.rtu.registry.ReserveId;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.HdrHistogram.Histogram;

import static io.dsipanama.rtu.metrics.MetricsFileDescriptor.*;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Reads a metrics file ({@link MetricsFileDescriptor}) from any process, without disturbing the writer: a
 * read-only mapping, every length checked against the file before it is used, and each slot's histograms
 * copied under its seqlock (retried while the publisher rewrites them).
 *
 * <p><b>Threading.</b> One reader per thread; safe across processes.
 */
public final class MetricsReader implements AutoCloseable {
    private static final VarHandle INT = JAVA_INT.varHandle();
    private static final VarHandle LONG = JAVA_LONG.varHandle();

    /** One reserve's published histograms. */
    public record Snapshot(ReserveId id, Histogram jitter, Histogram response, long publishedAtNs) {
    }

    private final Arena arena = Arena.ofConfined();
    private final MemorySegment file;
    private final int slots;
    private final int slotLength;
    private final int capacity;

    private MetricsReader(Path path) {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < HEADER_LENGTH) {
                throw new IllegalStateException("metrics file " + path + " is " + size + " bytes, shorter than its header");
            }
            file = ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
        } catch (IOException e) {
            arena.close();
            throw new UncheckedIOException("cannot map " + path, e);
        }
        if (file.get(JAVA_LONG, MAGIC_OFFSET) != MAGIC) {
            arena.close();
            throw new IllegalStateException(path + " is not a metrics file");
        }
        int version = (int) INT.getAcquire(file, (long) VERSION_OFFSET);
        slots = file.get(JAVA_INT, SLOT_COUNT_OFFSET);
        slotLength = file.get(JAVA_INT, SLOT_LENGTH_OFFSET);
        capacity = file.get(JAVA_INT, HISTOGRAM_CAPACITY_OFFSET);
        if (version >>> 16 != VERSION_MAJOR || slots < 0 || capacity < 0 || slotLength != slotLength(capacity)
                || fileLength(slots, slotLength) > file.byteSize()) {
            arena.close();
            throw new IllegalStateException("metrics file " + path + " has version 0x" + Integer.toHexString(version)
                    + ", " + slots + " slots of " + slotLength + " bytes in " + file.byteSize() + " bytes: refused");
        }
    }

    public static MetricsReader open(Path path) {
        return new MetricsReader(path);
    }

    public ProcessIdentity owner() {
        return new ProcessIdentity(file.get(JAVA_INT, OWNER_PID_OFFSET), file.get(JAVA_LONG, OWNER_START_TIME_OFFSET));
    }

    /** 1 SCHED_FIFO, 2 SCHED_DEADLINE, 3 non-real-time fallback. */
    public int backend() {
        return file.get(JAVA_INT, BACKEND_OFFSET);
    }

    public boolean realTime() {
        return file.get(JAVA_INT, REAL_TIME_OFFSET) != 0;
    }

    public String backendReason() {
        byte[] bytes = file.asSlice(BACKEND_REASON_OFFSET, BACKEND_REASON_LENGTH).toArray(JAVA_BYTE);
        int n = 0;
        while (n < bytes.length && bytes[n] != 0) {
            n++;
        }
        return new String(bytes, 0, n, StandardCharsets.US_ASCII);
    }

    /** The published histograms of every active slot. */
    public List<Snapshot> snapshots() {
        List<Snapshot> out = new ArrayList<>();
        for (int slot = 0; slot < slots; slot++) {
            Snapshot s = readSlot(slot);
            if (s != null) {
                out.add(s);
            }
        }
        return out;
    }

    /** The histograms of reserve {@code id}, or null when this file has none for it. */
    public Snapshot find(ReserveId id) {
        return snapshots().stream().filter(s -> s.id().equals(id)).findFirst().orElse(null);
    }

    private Snapshot readSlot(int slot) {
        long base = slotOffset(slot, slotLength);
        if ((int) INT.getAcquire(file, base + STATE_OFFSET) != STATE_ACTIVE) {
            return null;
        }
        ReserveId id = new ReserveId(file.get(JAVA_INT, base + REGISTRY_SLOT_OFFSET),
                file.get(JAVA_INT, base + REGISTRY_GENERATION_OFFSET));
        for (int attempt = 0; attempt < 1000; attempt++) {
            long before = (long) LONG.getAcquire(file, base + PUBLISH_SEQ_OFFSET);
            if ((before & 1) != 0) {
                Thread.onSpinWait();
                continue;
            }
            int jitterLength = file.get(JAVA_INT, base + JITTER_LENGTH_OFFSET);
            int responseLength = file.get(JAVA_INT, base + RESPONSE_LENGTH_OFFSET);
            long at = file.get(JAVA_LONG, base + PUBLISHED_AT_NS_OFFSET);
            if (jitterLength < 0 || jitterLength > capacity || responseLength < 0 || responseLength > capacity) {
                continue; // torn read of the lengths: the sequence check below would fail too
            }
            byte[] jitter = file.asSlice(base + SLOT_HEADER_LENGTH, jitterLength).toArray(JAVA_BYTE);
            byte[] response = file.asSlice(base + SLOT_HEADER_LENGTH + capacity, responseLength).toArray(JAVA_BYTE);
            VarHandle.loadLoadFence(); // the copies complete before the sequence is read again
            if ((long) LONG.getOpaque(file, base + PUBLISH_SEQ_OFFSET) != before) {
                continue;
            }
            return new Snapshot(id, decode(jitter), decode(response), at);
        }
        throw new IllegalStateException("slot " + slot + " kept changing while read");
    }

    private static Histogram decode(byte[] bytes) {
        if (bytes.length == 0) {
            return ReserveHistograms.newHistogram(); // not published yet
        }
        return Histogram.decodeFromByteBuffer(ByteBuffer.wrap(bytes), ReserveHistograms.LOWEST_NS);
    }

    /** The metrics files in {@code dir} (a registry's directory). */
    public static List<Path> files(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().startsWith(MetricsFile.PREFIX)).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }

    /** Unlinks metrics files in {@code dir} whose owner process is gone; returns how many. */
    public static int removeStale(Path dir) {
        int removed = 0;
        for (Path p : files(dir)) {
            boolean stale;
            try (MetricsReader r = open(p)) {
                stale = !r.owner().isAlive();
            } catch (RuntimeException e) {
                stale = false; // not ours to judge (being created, or not a metrics file)
            }
            if (stale) {
                try {
                    removed += Files.deleteIfExists(p) ? 1 : 0;
                } catch (IOException e) {
                    // another process removed it first, or we may not: leave it
                }
            }
        }
        return removed;
    }

    @Override
    public void close() {
        if (arena.scope().isAlive()) {
            arena.close();
        }
    }
}
