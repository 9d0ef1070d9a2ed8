package io.dsipanama.netio;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

import static io.dsipanama.netio.FrameHeaderDescriptor.DEADLINE_US_OFFSET;
import static io.dsipanama.netio.FrameHeaderDescriptor.FLAGS_OFFSET;
import static io.dsipanama.netio.FrameHeaderDescriptor.FRAGMENT_OFFSET_OFFSET;
import static io.dsipanama.netio.FrameHeaderDescriptor.FRAGMENT_STRIDE_OFFSET;
import static io.dsipanama.netio.FrameHeaderDescriptor.FRAME_LENGTH_OFFSET;
import static io.dsipanama.netio.FrameHeaderDescriptor.HEADER_LENGTH_OFFSET;
import static io.dsipanama.netio.FrameHeaderDescriptor.MAGIC_OFFSET;
import static io.dsipanama.netio.FrameHeaderDescriptor.PERIOD_US_OFFSET;
import static io.dsipanama.netio.FrameHeaderDescriptor.PRIORITY_OFFSET;
import static io.dsipanama.netio.FrameHeaderDescriptor.SEQUENCE_OFFSET;
import static io.dsipanama.netio.FrameHeaderDescriptor.STREAM_ID_OFFSET;
import static io.dsipanama.netio.FrameHeaderDescriptor.VERSION_OFFSET;
import static io.dsipanama.netio.FrameHeaderDescriptor.VIRTUAL_TIME_OFFSET;

/**
 * Flyweight over one {@link FrameHeaderDescriptor wire header}: {@link #wrap} it over a segment and an
 * offset, then read or write fields in place; re-wrapped per datagram, it allocates nothing. Unsigned
 * 32-bit fields come back as {@code int} holding the bits (use {@code Integer.toUnsignedLong} where a
 * value above 2^31 matters); the receiver refuses lengths and offsets above {@code MAX_FRAME_LENGTH} first.
 *
 * <p>Threading: none; a flyweight belongs to the thread that wraps it.
 */
public final class FrameHeader {
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfByte U8 = ValueLayout.JAVA_BYTE;

    private MemorySegment segment = MemorySegment.NULL;
    private long base;

    /** Points this flyweight at the header starting at {@code offset} of {@code segment}. */
    public FrameHeader wrap(MemorySegment segment, long offset) {
        this.segment = segment;
        this.base = offset;
        return this;
    }

    public MemorySegment segment() {
        return segment;
    }

    public long offset() {
        return base;
    }

    /** Writes magic, version and header length, and zeroes flags; the caller sets the rest. */
    public FrameHeader writePreamble() {
        segment.set(U32, base + MAGIC_OFFSET, FrameHeaderDescriptor.MAGIC);
        segment.set(U8, base + VERSION_OFFSET, (byte) FrameHeaderDescriptor.VERSION);
        segment.set(U8, base + FLAGS_OFFSET, (byte) 0);
        segment.set(U8, base + HEADER_LENGTH_OFFSET, (byte) FrameHeaderDescriptor.LENGTH);
        return this;
    }

    public int magic() {
        return segment.get(U32, base + MAGIC_OFFSET);
    }

    public int version() {
        return Byte.toUnsignedInt(segment.get(U8, base + VERSION_OFFSET));
    }

    public int flags() {
        return Byte.toUnsignedInt(segment.get(U8, base + FLAGS_OFFSET));
    }

    public FrameHeader flags(int flags) {
        segment.set(U8, base + FLAGS_OFFSET, (byte) flags);
        return this;
    }

    public int priority() {
        return Byte.toUnsignedInt(segment.get(U8, base + PRIORITY_OFFSET));
    }

    public FrameHeader priority(int priority) {
        segment.set(U8, base + PRIORITY_OFFSET, (byte) priority);
        return this;
    }

    public int headerLength() {
        return Byte.toUnsignedInt(segment.get(U8, base + HEADER_LENGTH_OFFSET));
    }

    public int streamId() {
        return segment.get(U32, base + STREAM_ID_OFFSET);
    }

    public FrameHeader streamId(int streamId) {
        segment.set(U32, base + STREAM_ID_OFFSET, streamId);
        return this;
    }

    public int fragmentStride() {
        return segment.get(U32, base + FRAGMENT_STRIDE_OFFSET);
    }

    public FrameHeader fragmentStride(int stride) {
        segment.set(U32, base + FRAGMENT_STRIDE_OFFSET, stride);
        return this;
    }

    public long sequence() {
        return segment.get(U64, base + SEQUENCE_OFFSET);
    }

    public FrameHeader sequence(long sequence) {
        segment.set(U64, base + SEQUENCE_OFFSET, sequence);
        return this;
    }

    public long virtualTime() {
        return segment.get(U64, base + VIRTUAL_TIME_OFFSET);
    }

    public FrameHeader virtualTime(long virtualTime) {
        segment.set(U64, base + VIRTUAL_TIME_OFFSET, virtualTime);
        return this;
    }

    public int frameLength() {
        return segment.get(U32, base + FRAME_LENGTH_OFFSET);
    }

    public FrameHeader frameLength(int length) {
        segment.set(U32, base + FRAME_LENGTH_OFFSET, length);
        return this;
    }

    public int fragmentOffset() {
        return segment.get(U32, base + FRAGMENT_OFFSET_OFFSET);
    }

    public FrameHeader fragmentOffset(int offset) {
        segment.set(U32, base + FRAGMENT_OFFSET_OFFSET, offset);
        return this;
    }

    public int periodUs() {
        return segment.get(U32, base + PERIOD_US_OFFSET);
    }

    public FrameHeader periodUs(int periodUs) {
        segment.set(U32, base + PERIOD_US_OFFSET, periodUs);
        return this;
    }

    public int deadlineUs() {
        return segment.get(U32, base + DEADLINE_US_OFFSET);
    }

    public FrameHeader deadlineUs(int deadlineUs) {
        segment.set(U32, base + DEADLINE_US_OFFSET, deadlineUs);
        return this;
    }

    /** Copies the whole header from {@code from} into this one. */
    public void copyFrom(FrameHeader from) {
        MemorySegment.copy(from.segment, from.base, segment, base, FrameHeaderDescriptor.LENGTH);
    }

    @Override
    public String toString() {
        return "FrameHeader[stream=" + streamId() + ", seq=" + sequence() + ", prio=" + priority() + ", frameLength="
                + frameLength() + ", fragmentOffset=" + fragmentOffset() + ", stride=" + fragmentStride() + "]";
    }
}
