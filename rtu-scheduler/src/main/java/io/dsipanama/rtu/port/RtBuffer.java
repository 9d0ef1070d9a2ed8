package io.dsipanama.rtu.port;

import java.lang.foreign.MemorySegment;

/**
 * The buffer a handler is upcalled with: bytes {@code [offset(), offset() + length())} of {@link #segment()}
 * (room for {@link #capacity()} from the offset). In one process it is one of the connection's buffers,
 * handed from stage to stage by reference (the same object, the same memory: no copy); across processes it
 * is a region of a DSI stream's shared data area, written in place by the source and read in place by the
 * sink. Handlers write and read at {@link #offset()}, so the same code serves both.
 *
 * <p>A flyweight: valid only during the upcall; the connection re-fills it. {@link #segment()} is the whole
 * area (no slice is made per buffer, so nothing is allocated); across processes the sink's view is
 * read-only.
 *
 * <p><b>Threading.</b> The virtual processor upcalling the handler; ownership passes with the hand-off.
 */
public final class RtBuffer {
    private MemorySegment segment;
    private long offset;
    private int capacity;
    private int length;
    private long sequence;
    private long originNs;
    private long lostBefore;
    /** A stage dropped it: later stages pass it on unseen, the last gives it back to the pool. */
    boolean dropped;

    RtBuffer() {
    }

    RtBuffer(MemorySegment segment, int capacity) {
        this.segment = segment;
        this.capacity = capacity;
    }

    /** A source is about to fill it. */
    RtBuffer prepare(long newSequence, long newOriginNs) {
        sequence = newSequence;
        originNs = newOriginNs;
        length = 0;
        lostBefore = 0;
        dropped = false;
        return this;
    }

    /** Wraps a region of shared memory (a stream's claim or packet). */
    RtBuffer wrap(MemorySegment area, long areaOffset, int areaCapacity, int areaLength) {
        segment = area;
        offset = areaOffset;
        capacity = areaCapacity;
        length = areaLength;
        return this;
    }

    RtBuffer lostBefore(long lost) {
        lostBefore = lost;
        return this;
    }

    /** The memory the buffer lives in; the buffer is {@code [offset(), offset() + length())}. */
    public MemorySegment segment() {
        return segment;
    }

    public long offset() {
        return offset;
    }

    /** Bytes that fit from {@link #offset()}: the source port's {@code maxBufferBytes}. */
    public int capacity() {
        return capacity;
    }

    /** Bytes of data (a source sets it; 0 before). */
    public int length() {
        return length;
    }

    /** Sets the data length; {@code 0 <= newLength <= capacity()}. */
    public void length(int newLength) {
        if (newLength < 0 || newLength > capacity) {
            throw new IllegalArgumentException("length " + newLength + " outside 0.." + capacity);
        }
        length = newLength;
    }

    /** How many buffers the source sent before this one (0, 1, 2, ...). */
    public long sequence() {
        return sequence;
    }

    /** The source job's release, CLOCK_MONOTONIC ns: end-to-end delay is measured from it. */
    public long originNs() {
        return originNs;
    }

    /** Buffers lost just before this one (a cross-process link's stream dropped or expired them); 0 in-process. */
    public long lostBefore() {
        return lostBefore;
    }

    /** Native address of the first byte: two handlers that see the same value see the same memory. */
    public long address() {
        return segment.address() + offset;
    }

    void sequence(long newSequence, long newOriginNs) {
        sequence = newSequence;
        originNs = newOriginNs;
    }
}
