package io.dsipanama.netio;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static org.junit.jupiter.api.Assertions.fail;

/** Shared by the netio tests: driving a ring until a condition holds, payload patterns, raw datagrams. */
final class NetTestSupport {
    static final InetSocketAddress LOOPBACK = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    private NetTestSupport() {
    }

    /** Runs {@code owner}'s cycles (idling in the kernel when there is nothing to do) until {@code done}. */
    static void runUntil(RingOwner owner, BooleanSupplier done, long timeoutMs, String what) {
        long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (!done.getAsBoolean()) {
            long now = System.nanoTime();
            if (deadlineNs - now <= 0) {
                fail(what + " not reached within " + timeoutMs + " ms; counters " + owner.counters());
            }
            if (owner.doWork(now) == 0) {
                owner.idle(TimeUnit.MILLISECONDS.toNanos(1));
            }
        }
    }

    /** Runs cycles for {@code ms} regardless (to let late datagrams or expiries show up). */
    static void runFor(RingOwner owner, long ms) {
        long endNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
        while (endNs - System.nanoTime() > 0) {
            if (owner.doWork(System.nanoTime()) == 0) {
                owner.idle(TimeUnit.MILLISECONDS.toNanos(1));
            }
        }
    }

    /** Fills {@code segment} with a pattern that differs per byte position and per seed. */
    static void fill(MemorySegment segment, long seed) {
        long n = segment.byteSize();
        long i = 0;
        long x = seed * 0x9E3779B97F4A7C15L + 1;
        for (; i + 8 <= n; i += 8) {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
            segment.set(JAVA_LONG_UNALIGNED, i, x);
        }
        for (; i < n; i++) {
            segment.set(JAVA_BYTE, i, (byte) (i * 31 + seed));
        }
    }

    /** Whether {@code length} bytes at {@code offset} of {@code buffer} equal {@code expected}, byte for byte. */
    static boolean sameBytes(MemorySegment expected, MemorySegment buffer, long offset, int length) {
        return expected.byteSize() == length
                && MemorySegment.mismatch(expected, 0, length, buffer, offset, offset + length) == -1;
    }

    /** Sockets and io_uring instances this process holds (from /proc/self/fd). */
    static long socketsAndRings() {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.map(NetTestSupport::target).filter(t -> t.startsWith("socket:") || t.contains("io_uring"))
                    .count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String target(Path fd) {
        try {
            return Files.readSymbolicLink(fd).toString();
        } catch (IOException e) {
            return "";
        }
    }

    /** A raw wire datagram written with java.nio (an independent writer of the format), payload bytes = seed. */
    static ByteBuffer datagram(int streamId, long seq, int priority, int frameLength, int stride, int offset,
                               int payloadLength, int deadlineUs) {
        ByteBuffer b = ByteBuffer.allocate(FrameHeaderDescriptor.LENGTH + payloadLength).order(ByteOrder.BIG_ENDIAN);
        b.putInt(FrameHeaderDescriptor.MAGIC).put((byte) FrameHeaderDescriptor.VERSION).put((byte) 0)
                .put((byte) priority).put((byte) FrameHeaderDescriptor.LENGTH).putInt(streamId).putInt(stride)
                .putLong(seq).putLong(seq * 40).putInt(frameLength).putInt(offset).putInt(20_000).putInt(deadlineUs);
        for (int i = 0; i < payloadLength; i++) {
            b.put((byte) (offset + i));
        }
        return b.flip();
    }
}
