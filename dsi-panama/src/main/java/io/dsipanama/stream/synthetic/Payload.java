package io.dsipanama.stream.synthetic;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

/**
 * The synthetic packet format of {@code bin/dsi produce}/{@code consume} and the stream tests: every byte is
 * a function of the packet's seed, so the consumer can verify all of them.
 *
 * <pre>
 * length >= 16:  | sequence (8) | checksum (8) | body: the reference pattern from start(sequence), wrapping |
 * length <  16:  | the reference pattern from start(virtual time)                                       |
 * </pre>
 *
 * The reference pattern is {@link #REFERENCE_BYTES} of pseudo-random bytes, the same in every process (fixed
 * seed). A packet's body is the pattern read from an offset derived from its seed, so consecutive packets
 * differ everywhere, and writing or checking a body is a copy or a vectorised {@code mismatch} against the
 * pattern: the tools check every byte at memory speed instead of spending their time computing patterns.
 * The checksum mixes the sequence number and length with the wrapping sum of the body's 64-bit words and
 * tail bytes, computed from prefix sums of the pattern (so it costs nothing per byte).
 */
public final class Payload {
    /** Smallest packet that carries its sequence number and checksum. */
    public static final int HEADER = 16;
    /** Length of the reference pattern; bodies longer than this repeat it. */
    public static final int REFERENCE_BYTES = 1 << 20;

    private static final MemorySegment REFERENCE;
    private static final long[] PREFIX; // PREFIX[i] = sum of reference words 0..i-1

    static {
        REFERENCE = Arena.global().allocate(REFERENCE_BYTES, 64);
        PREFIX = new long[REFERENCE_BYTES / 8 + 1];
        SplittableRandom random = new SplittableRandom(0x5D15EED);
        for (int i = 0; i < REFERENCE_BYTES / 8; i++) {
            long word = random.nextLong();
            REFERENCE.setAtIndex(JAVA_LONG, i, word);
            PREFIX[i + 1] = PREFIX[i] + word;
        }
    }

    private Payload() {
    }

    /** Writes a packet of {@code length} bytes at {@code offset}: sequence-seeded, or vt-seeded if short. */
    public static void fill(MemorySegment buffer, long offset, int length, long sequence, long virtualTime) {
        if (length < HEADER) {
            MemorySegment.copy(REFERENCE, start(virtualTime), buffer, offset, length);
            return;
        }
        buffer.set(JAVA_LONG_UNALIGNED, offset, sequence);
        buffer.set(JAVA_LONG_UNALIGNED, offset + 8, checksum(sequence, length - HEADER));
        long from = start(sequence);
        long done = 0;
        long body = length - HEADER;
        while (done < body) {
            long chunk = Math.min(body - done, REFERENCE_BYTES - from);
            MemorySegment.copy(REFERENCE, from, buffer, offset + HEADER + done, chunk);
            done += chunk;
            from = 0;
        }
    }

    /** The sequence number a packet carries, or -1 if it is too short to carry one. */
    public static long sequence(MemorySegment buffer, long offset, int length) {
        return length < HEADER ? -1 : buffer.get(JAVA_LONG_UNALIGNED, offset);
    }

    /** True if every byte is what {@link #fill} wrote for this packet's seed and the checksum matches. */
    public static boolean verify(MemorySegment buffer, long offset, int length, long virtualTime) {
        if (length < HEADER) {
            long from = start(virtualTime);
            return MemorySegment.mismatch(buffer, offset, offset + length, REFERENCE, from, from + length) == -1;
        }
        long sequence = buffer.get(JAVA_LONG_UNALIGNED, offset);
        if (buffer.get(JAVA_LONG_UNALIGNED, offset + 8) != checksum(sequence, length - HEADER)) {
            return false;
        }
        long from = start(sequence);
        long done = 0;
        long body = length - HEADER;
        while (done < body) {
            long chunk = Math.min(body - done, REFERENCE_BYTES - from);
            long at = offset + HEADER + done;
            if (MemorySegment.mismatch(buffer, at, at + chunk, REFERENCE, from, from + chunk) != -1) {
                return false;
            }
            done += chunk;
            from = 0;
        }
        return true;
    }

    /** Where in the pattern a seed's bytes start: a word boundary that moves by an odd number of words. */
    static long start(long seed) {
        return Math.floorMod(seed * 4099L * 8, REFERENCE_BYTES);
    }

    /**
     * The sequence number times an odd constant plus the wrapping sum of the body's words and tail bytes (the
     * body being the pattern from {@code start(sequence)}), so a changed sequence or body length shows.
     */
    static long checksum(long sequence, long body) {
        long from = start(sequence);
        long sum = sequence * 0x9E3779B97F4A7C15L + body;
        long words = body / 8;
        long index = from / 8;
        long total = REFERENCE_BYTES / 8;
        long full = words / total;
        sum += full * PREFIX[(int) total];
        long rest = words % total;
        long end = index + rest;
        sum += end <= total ? PREFIX[(int) end] - PREFIX[(int) index]
                : PREFIX[(int) total] - PREFIX[(int) index] + PREFIX[(int) (end - total)];
        long tailAt = (from + words * 8) % REFERENCE_BYTES;
        for (long i = 0; i < body % 8; i++) {
            sum += REFERENCE.get(JAVA_BYTE, tailAt + i);
        }
        return sum;
    }
}
