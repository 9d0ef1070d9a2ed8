package io.dsipanama.netio;

import java.lang.foreign.MemorySegment;

/**
 * Reassembly memory: first-fit allocation of page-aligned extents in one region (the caller's, e.g. a
 * stream's data area, or the receiver's own mapping), at most {@code maxExtents} at a time. The region's
 * size is the bound on memory held by incomplete frames. Allocation-free; the ring's thread only.
 */
final class FrameMemory {
    private static final long PAGE = 4096;

    private final MemorySegment region;
    private final long[] offsets;
    private final long[] lengths;
    private int count;
    private long used;

    FrameMemory(MemorySegment region, int maxExtents) {
        this.region = region;
        this.offsets = new long[maxExtents];
        this.lengths = new long[maxExtents];
    }

    /** The offset of a fresh extent of {@code length} bytes (rounded up to pages), or -1 if none fits. */
    long allocate(long length) {
        if (count == offsets.length) {
            return -1;
        }
        long size = Math.max(PAGE, (length + PAGE - 1) & -PAGE);
        long at = 0;
        int i = 0;
        // extents are kept sorted by offset: look for the first gap that fits
        for (; i < count; i++) {
            if (offsets[i] - at >= size) {
                break;
            }
            at = offsets[i] + lengths[i];
        }
        if (at + size > region.byteSize()) {
            return -1;
        }
        System.arraycopy(offsets, i, offsets, i + 1, count - i);
        System.arraycopy(lengths, i, lengths, i + 1, count - i);
        offsets[i] = at;
        lengths[i] = size;
        count++;
        used += size;
        return at;
    }

    void free(long offset) {
        for (int i = 0; i < count; i++) {
            if (offsets[i] == offset) {
                used -= lengths[i];
                System.arraycopy(offsets, i + 1, offsets, i, count - i - 1);
                System.arraycopy(lengths, i + 1, lengths, i, count - i - 1);
                count--;
                return;
            }
        }
        throw new IllegalStateException("no extent at " + offset);
    }

    MemorySegment region() {
        return region;
    }

    /** Bytes held by extents (page-rounded). */
    long used() {
        return used;
    }

    int extents() {
        return count;
    }
}
