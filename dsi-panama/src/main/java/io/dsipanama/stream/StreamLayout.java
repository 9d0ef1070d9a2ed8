package io.dsipanama.stream;

import static io.dsipanama.stream.StreamFormatException.Reason.INCONSISTENT_LAYOUT;
import static io.dsipanama.stream.StreamFormatException.Reason.SHORT_FILE;

/**
 * The offsets and lengths of a stream file, checked against the file's size and against each other before
 * any slice is made. Once built, these values (not the header's, which another process could change) are
 * what a {@link StreamMapping} slices with.
 */
public record StreamLayout(long fileLength, long controlOffset, long controlLength, long dataOffset,
                           long dataLength, int descriptorCount) {

    /** The layout a new stream of {@code spec} gets. */
    static StreamLayout forSpec(StreamSpec spec, long pageSize) {
        long control = StreamHeaderDescriptor.controlLength(spec.descriptorCount(), pageSize);
        long dataOffset = StreamHeaderDescriptor.LENGTH + control;
        return new StreamLayout(dataOffset + spec.dataBytes(), StreamHeaderDescriptor.LENGTH, control, dataOffset,
                spec.dataBytes(), spec.descriptorCount());
    }

    /**
     * Validates a published header of a file of {@code fileLength} bytes. Every check uses long arithmetic
     * on values bounded first, so huge or negative fields are reported, never overflowed.
     */
    static StreamLayout validate(String name, StreamHeader h, long fileLength, long pageSize) {
        String where = "stream '" + name + "': ";
        int headerLength = h.headerLength();
        check(headerLength == StreamHeaderDescriptor.LENGTH, where + "header_length " + headerLength + ", expected "
                + StreamHeaderDescriptor.LENGTH);
        int count = h.descriptorCount();
        check(count >= 2 && count <= StreamSpec.MAX_DESCRIPTORS && Integer.bitCount(count) == 1,
                where + "descriptor_count " + count + " is not a power of two in 2.." + StreamSpec.MAX_DESCRIPTORS);
        int slot = h.descriptorLength();
        check(slot == PacketDescriptorDescriptor.LENGTH, where + "descriptor_length " + slot + ", expected "
                + PacketDescriptorDescriptor.LENGTH);
        check(h.countersOffset() == StreamHeaderDescriptor.COUNTERS_OFFSET
                        && h.countersLength() == StreamHeaderDescriptor.COUNTERS_LENGTH,
                where + "counters at " + h.countersOffset() + "+" + h.countersLength() + ", expected "
                        + StreamHeaderDescriptor.COUNTERS_OFFSET + "+" + StreamHeaderDescriptor.COUNTERS_LENGTH);
        long controlOffset = h.controlOffset();
        long controlLength = h.controlLength();
        long expectedControl = StreamHeaderDescriptor.controlLength(count, pageSize);
        check(controlOffset == headerLength, where + "control_offset " + controlOffset
                + " must follow the header at " + headerLength);
        check(controlLength == expectedControl, where + "control_length " + controlLength + ", expected "
                + expectedControl + " for " + count + " descriptors");
        long dataOffset = h.dataOffset();
        long dataLength = h.dataLength();
        check(dataOffset == controlOffset + controlLength, where + "data_offset " + dataOffset
                + " must follow the control area at " + (controlOffset + controlLength)
                + " (areas may neither overlap nor leave gaps)");
        check(dataLength > 0 && dataLength <= StreamSpec.MAX_DATA_BYTES && dataLength % pageSize == 0,
                where + "data_length " + dataLength + " is not a positive page multiple up to " + StreamSpec.MAX_DATA_BYTES);
        long expectedFile = dataOffset + dataLength; // both bounded above: cannot overflow
        if (fileLength < expectedFile) {
            throw new StreamFormatException(SHORT_FILE, where + "file is " + fileLength + " bytes, its header needs "
                    + expectedFile + " (truncated?)");
        }
        check(fileLength == expectedFile, where + "file is " + fileLength + " bytes, its header accounts for "
                + expectedFile);
        int maxPacket = h.maxPacket();
        check(maxPacket > 0 && maxPacket <= dataLength, where + "max_packet " + maxPacket
                + " must be in 1.." + dataLength);
        return new StreamLayout(fileLength, controlOffset, controlLength, dataOffset, dataLength, count);
    }

    /** The spec recorded in a validated header. */
    static StreamSpec specOf(String name, StreamHeader h) {
        String where = "stream '" + name + "': ";
        int policy = h.policyOrdinal();
        int mode = h.modeOrdinal();
        check(policy >= 0 && policy < OverflowPolicy.values().length, where + "policy " + policy + " is unknown");
        check(mode >= 0 && mode < StreamMode.values().length, where + "mode " + mode + " is unknown");
        int flags = h.flags();
        check((flags & ~StreamHeaderDescriptor.KNOWN_FLAGS) == 0, where + "flags 0x" + Integer.toHexString(flags)
                + " has unknown bits");
        try {
            return new StreamSpec(h.descriptorCount(), h.dataLength(), h.maxPacket(), h.validityTicks(), h.epochNs(),
                    h.nsPerTick(), OverflowPolicy.values()[policy], StreamMode.values()[mode],
                    (flags & StreamHeaderDescriptor.FLAG_LOCK_IN_MEMORY) != 0);
        } catch (IllegalArgumentException e) {
            throw new StreamFormatException(INCONSISTENT_LAYOUT, where + e.getMessage());
        }
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new StreamFormatException(INCONSISTENT_LAYOUT, message);
        }
    }
}
