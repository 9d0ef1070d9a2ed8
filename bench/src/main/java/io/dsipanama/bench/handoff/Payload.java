package io.dsipanama.bench.handoff;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

/**
 * The packet every subject moves and the work both sides do on it, written once so that every subject
 * (memcpy, Agrona, Aeron, later DSI) does exactly the same work per packet.
 *
 * <pre>
 * offset | size       | field  | written by | meaning
 * -------+------------+--------+------------+------------------------------------------------------------
 *      0 | 8          | seq    | producer   | packet number, 0, 1, 2, ... (little endian, like the rest)
 *      8 | 8          | sentNs | producer   | System.nanoTime() when written (CLOCK_MONOTONIC on Linux,
 *        |            |        |            | comparable across processes); 0 where nobody reads it
 *     16 | length-16  | body   | producer   | bytes [shift(seq), shift(seq) + length - 16) of the pattern
 * </pre>
 *
 * <p>The pattern is {@link #PATTERN_SEED}-seeded pseudo-random bytes, identical in every process, so a
 * consumer in another JVM can check every byte. {@link #shift} moves the window by 8 bytes per packet
 * (modulo 512) so that a packet delivered twice, or a stale one, does not pass for the next.
 *
 * <p>Producer work: {@link #write} stores the header and copies the body with {@link MemorySegment#copy}
 * (a full write of {@code length} bytes into the transport's memory). Consumer work in benchmarks:
 * {@link #touch} reads the sequence and one long in every 64-byte stride plus the last long, so every
 * cache line of the packet moves to the consumer's core; the full byte-by-byte check {@link #verify}
 * is for tests and {@code --verify} runs. Nothing here allocates after construction.
 *
 * <p>Threading: immutable after construction; any thread, any number of threads.
 */
public final class Payload implements AutoCloseable {
    public static final int SEQ_OFFSET = 0;
    public static final int SENT_NS_OFFSET = 8;
    public static final int HEADER_LENGTH = 16;
    /** The consumer reads one long per this many bytes. */
    public static final int TOUCH_STRIDE = 64;
    public static final long PATTERN_SEED = 0x5EED_D5E1L;
    static final int SHIFT_SPAN = 512;

    private final Arena arena = Arena.ofShared();
    private final MemorySegment pattern;
    private final int maxLength;

    /** A pattern for packets of {@link #HEADER_LENGTH} to {@code maxLength} bytes. */
    public Payload(int maxLength) {
        if (maxLength < HEADER_LENGTH) {
            throw new IllegalArgumentException("maxLength " + maxLength + " < header " + HEADER_LENGTH);
        }
        this.maxLength = maxLength;
        long patternLength = ((maxLength + 7L) & ~7L) + SHIFT_SPAN;
        this.pattern = arena.allocate(patternLength, 64);
        SplittableRandom random = new SplittableRandom(PATTERN_SEED);
        for (long i = 0; i < patternLength; i += Long.BYTES) {
            pattern.set(JAVA_LONG, i, random.nextLong());
        }
    }

    public int maxLength() {
        return maxLength;
    }

    /** The pattern (read-only use): transports that copy with their own API read the body from it. */
    public MemorySegment pattern() {
        return pattern;
    }

    /** Where packet {@code seq}'s body starts in {@link #pattern()}. */
    public static long bodyOffset(long seq) {
        return shift(seq) + HEADER_LENGTH;
    }

    /** Where packet {@code seq}'s pattern window starts: 0 to 504 in steps of 8. */
    public static long shift(long seq) {
        return (seq & (SHIFT_SPAN / Long.BYTES - 1)) * Long.BYTES;
    }

    /** Writes packet {@code seq} of {@code length} bytes at {@code offset} of {@code dst}. */
    public void write(MemorySegment dst, long offset, int length, long seq, long sentNs) {
        checkLength(length);
        writeHeader(dst, offset, seq, sentNs);
        MemorySegment.copy(pattern, bodyOffset(seq), dst, offset + HEADER_LENGTH, length - HEADER_LENGTH);
    }

    /** Writes only the 16-byte header (for transports that copy the body from {@link #pattern()} themselves). */
    public static void writeHeader(MemorySegment dst, long offset, long seq, long sentNs) {
        dst.set(JAVA_LONG_UNALIGNED, offset + SEQ_OFFSET, seq);
        dst.set(JAVA_LONG_UNALIGNED, offset + SENT_NS_OFFSET, sentNs);
    }

    /**
     * The consumer's work: reads the first long and one long per {@link #TOUCH_STRIDE} bytes up to the
     * packet's last long, and returns their sum (for a blackhole, so the reads cannot be removed).
     */
    public static long touch(MemorySegment src, long offset, int length) {
        long sum = src.get(JAVA_LONG_UNALIGNED, offset);
        long last = offset + length - Long.BYTES;
        for (long at = offset + TOUCH_STRIDE; at < last; at += TOUCH_STRIDE) {
            sum += src.get(JAVA_LONG_UNALIGNED, at);
        }
        return sum + src.get(JAVA_LONG_UNALIGNED, last);
    }

    public static long seq(MemorySegment src, long offset) {
        return src.get(JAVA_LONG_UNALIGNED, offset + SEQ_OFFSET);
    }

    public static long sentNs(MemorySegment src, long offset) {
        return src.get(JAVA_LONG_UNALIGNED, offset + SENT_NS_OFFSET);
    }

    /**
     * Checks every byte of a received packet: its sequence must be {@code expectedSeq} and its body the
     * pattern window of that sequence.
     *
     * @return -1 when the packet is right, else the offset (from the packet start) of the first wrong byte
     */
    public long verify(MemorySegment src, long offset, int length, long expectedSeq) {
        if (length < HEADER_LENGTH || length > maxLength) {
            return 0;
        }
        if (seq(src, offset) != expectedSeq) {
            return SEQ_OFFSET;
        }
        long body = bodyOffset(expectedSeq);
        long at = MemorySegment.mismatch(src, offset + HEADER_LENGTH, offset + length,
                pattern, body, body + length - HEADER_LENGTH);
        return at < 0 ? -1 : HEADER_LENGTH + at;
    }

    private void checkLength(int length) {
        if (length < HEADER_LENGTH || length > maxLength) {
            throw new IllegalArgumentException("length " + length + " outside " + HEADER_LENGTH + ".." + maxLength);
        }
    }

    @Override
    public void close() {
        if (arena.scope().isAlive()) {
            arena.close();
        }
    }
}
