package io.dsipanama.stream;

import static io.dsipanama.stream.PacketDescriptorDescriptor.FLAG_MISSING;

/**
 * Checks of values read from the shared header and control area. Everything there can be written by any
 * process that opened the stream for writing (the peer, or a third process of the same uid), so a value is
 * untrusted until checked against what the reader knows privately: the validated layout, the spec, and the
 * invariants of the ring. The checks are branch-only (no allocation) so the hot paths can run them on every
 * packet; the {@code describe} methods build the message of a {@link StreamCorruptionException} and run
 * only once something was found wrong.
 */
final class SharedChecks {
    private SharedChecks() {
    }

    /**
     * True if a descriptor read under its seqlock can be the producer's: offset and length inside the data
     * area, length at most the max packet, no unknown flag, a non-negative {@code lost_newest}, and the expiry
     * the producer derives from the virtual time ({@code vt + validity}, saturating), which binds the two.
     */
    static boolean descriptorPlausible(long offset, int length, int flags, long virtualTime, long expiry,
                                       int lostNewest, long dataLength, int maxPacket, long validityTicks) {
        return offset >= 0 && length >= 0 && length <= maxPacket && offset <= dataLength - length
                && (flags & ~FLAG_MISSING) == 0 && lostNewest >= 0
                && expiry == StreamProducer.saturatingAdd(virtualTime, validityTicks);
    }

    /** Names the first field that made {@link #descriptorPlausible} false. */
    static String describeDescriptor(long offset, int length, int flags, long virtualTime, long expiry,
                                     int lostNewest, long dataLength, int maxPacket, long validityTicks) {
        if (offset < 0 || length < 0 || length > maxPacket || offset > dataLength - length) {
            return "descriptor data_offset " + offset + " length " + length + " is outside the data area of "
                    + dataLength + " bytes (max packet " + maxPacket + ")";
        }
        if ((flags & ~FLAG_MISSING) != 0) {
            return "descriptor flags 0x" + Integer.toHexString(flags) + " has unknown bits";
        }
        if (lostNewest < 0) {
            return "descriptor lost_newest " + lostNewest + " is negative";
        }
        return "descriptor expiry " + expiry + " is not virtual_time " + virtualTime + " + validity "
                + validityTicks;
    }

    /** What a slot's sequence word claims, for a message: the position it names and whether it is complete. */
    static String describeSequence(long sequence) {
        return "sequence " + sequence + ((sequence & 1) != 0 ? " (position " + (sequence - 1) / 2 + " being written)"
                : " (position " + (sequence / 2 - 1) + " complete)");
    }
}
