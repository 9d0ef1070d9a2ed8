package io.dsipanama.stream.synthetic;

import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

/**
 * The synthetic packet format of {@code bin/dsi produce}/{@code consume} and the stream tests: every byte is
 * a function of a seed, so the consumer can verify all of them.
 *
 * <pre>
 * length >= 16:  | sequence (8) | checksum (8) | pattern words and tail bytes, seeded by sequence |
 * length <  16:  | pattern bytes seeded by the packet's virtual time                           |
 * </pre>
 *
 * Pattern word {@code i} (counting from the start of the packet) is {@code seed * G + i * H} with two odd
 * 64-bit constants; tail bytes are the low bytes of the next word. The checksum is the wrapping sum of the
 * pattern words and tail bytes. A stale or foreign packet fails on its first word.
 */
public final class Payload {
    /** Smallest packet that carries its sequence number and checksum. */
    public static final int HEADER = 16;

    private static final long G = 0x9E3779B97F4A7C15L;
    private static final long H = 0xBF58476D1CE4E5B9L;

    private Payload() {
    }

    /** Writes a packet of {@code length} bytes at {@code offset}: sequence-seeded, or vt-seeded if short. */
    public static void fill(MemorySegment buffer, long offset, int length, long sequence, long virtualTime) {
        if (length < HEADER) {
            fillPattern(buffer, offset, 0, length, virtualTime);
            return;
        }
        long sum = fillPattern(buffer, offset, HEADER, length, sequence);
        buffer.set(JAVA_LONG_UNALIGNED, offset, sequence);
        buffer.set(JAVA_LONG_UNALIGNED, offset + 8, sum);
    }

    /** The sequence number a packet carries, or -1 if it is too short to carry one. */
    public static long sequence(MemorySegment buffer, long offset, int length) {
        return length < HEADER ? -1 : buffer.get(JAVA_LONG_UNALIGNED, offset);
    }

    /** True if every byte is what {@link #fill} wrote for this packet's seed. */
    public static boolean verify(MemorySegment buffer, long offset, int length, long virtualTime) {
        if (length < HEADER) {
            return verifyPattern(buffer, offset, 0, length, virtualTime) != Long.MIN_VALUE || length == 0;
        }
        long sequence = buffer.get(JAVA_LONG_UNALIGNED, offset);
        long sum = buffer.get(JAVA_LONG_UNALIGNED, offset + 8);
        long computed = verifyPattern(buffer, offset, HEADER, length, sequence);
        return computed != Long.MIN_VALUE && computed == sum;
    }

    private static long fillPattern(MemorySegment buffer, long offset, int from, int length, long seed) {
        long sum = 0;
        long base = seed * G;
        int i = from;
        for (; i + 8 <= length; i += 8) {
            long word = base + (i >>> 3) * H;
            buffer.set(JAVA_LONG_UNALIGNED, offset + i, word);
            sum += word;
        }
        long word = base + (i >>> 3) * H;
        for (int b = 0; i < length; i++, b++) {
            byte v = (byte) (word >>> (8 * b));
            buffer.set(JAVA_BYTE, offset + i, v);
            sum += v;
        }
        return sum;
    }

    /** The sum of the pattern if every byte matches, else {@code Long.MIN_VALUE}. */
    private static long verifyPattern(MemorySegment buffer, long offset, int from, int length, long seed) {
        long sum = 0;
        long base = seed * G;
        int i = from;
        for (; i + 8 <= length; i += 8) {
            long word = base + (i >>> 3) * H;
            if (buffer.get(JAVA_LONG_UNALIGNED, offset + i) != word) {
                return Long.MIN_VALUE;
            }
            sum += word;
        }
        long word = base + (i >>> 3) * H;
        for (int b = 0; i < length; i++, b++) {
            byte v = (byte) (word >>> (8 * b));
            if (buffer.get(JAVA_BYTE, offset + i) != v) {
                return Long.MIN_VALUE;
            }
            sum += v;
        }
        return sum; // a genuine sum of exactly Long.MIN_VALUE (p = 2^-64) reads as a failure
    }
}
