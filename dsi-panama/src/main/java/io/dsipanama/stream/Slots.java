package io.dsipanama.stream;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;

import static io.dsipanama.stream.PacketDescriptorDescriptor.*;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The control area's slots, accessed with the modes of {@link PacketDescriptorDescriptor}'s table. A slot is
 * addressed by its byte offset in the control area ({@link #base(long)} of a position), so the hot paths
 * pass one long around and allocate nothing.
 *
 * <p><b>Threading.</b> The producer calls the writers ({@link #open}, {@link #write}, {@link #close}); the
 * consumer and the producer both read and CAS {@code state}. Instances are immutable and may be shared.
 */
final class Slots {
    private static final VarHandle LONG = JAVA_LONG.varHandle();

    private final MemorySegment control;
    private final long mask;
    private final ChainLink chain; // null unless the stream's data area is a chain's (memory chaining)

    Slots(MemorySegment control, int descriptorCount) {
        this(control, descriptorCount, null);
    }

    Slots(MemorySegment control, int descriptorCount, ChainLink chain) {
        this.control = control;
        this.mask = descriptorCount - 1;
        this.chain = chain;
    }

    int count() {
        return (int) (mask + 1);
    }

    long base(long position) {
        return (position & mask) * LENGTH;
    }

    long acquireSequence(long base) {
        return (long) LONG.getAcquire(control, base + SEQUENCE_OFFSET);
    }

    /** The seqlock re-check: a load-load fence, then the sequence again. */
    long recheckSequence(long base) {
        VarHandle.loadLoadFence();
        return (long) LONG.get(control, base + SEQUENCE_OFFSET);
    }

    /** Opens the seqlock for {@code position}: odd sequence, ordered before the field stores that follow. */
    void open(long base, long position) {
        LONG.setOpaque(control, base + SEQUENCE_OFFSET, 2 * position + 1);
        VarHandle.storeStoreFence();
    }

    void write(long base, long virtualTime, long dataOffset, int length, int flags, long expiry, long state,
               long allocation, int lostNewest) {
        control.set(JAVA_LONG, base + VIRTUAL_TIME_OFFSET, virtualTime);
        control.set(JAVA_LONG, base + DATA_OFFSET_OFFSET, dataOffset);
        control.set(JAVA_INT, base + LENGTH_OFFSET, length);
        control.set(JAVA_INT, base + FLAGS_OFFSET, flags);
        control.set(JAVA_LONG, base + EXPIRY_OFFSET, expiry);
        control.set(JAVA_LONG, base + STATE_OFFSET, state);
        control.set(JAVA_LONG, base + ALLOCATION_OFFSET, allocation);
        control.set(JAVA_INT, base + LOST_NEWEST_OFFSET, lostNewest);
    }

    /** Closes the seqlock; pairs with {@link #acquireSequence} in the consumer. */
    void close(long base, long position) {
        LONG.setRelease(control, base + SEQUENCE_OFFSET, publishedSequence(position));
    }

    long virtualTime(long base) {
        return control.get(JAVA_LONG, base + VIRTUAL_TIME_OFFSET);
    }

    long dataOffset(long base) {
        return control.get(JAVA_LONG, base + DATA_OFFSET_OFFSET);
    }

    int length(long base) {
        return control.get(JAVA_INT, base + LENGTH_OFFSET);
    }

    int flags(long base) {
        return control.get(JAVA_INT, base + FLAGS_OFFSET);
    }

    long expiry(long base) {
        return control.get(JAVA_LONG, base + EXPIRY_OFFSET);
    }

    long allocation(long base) {
        return control.get(JAVA_LONG, base + ALLOCATION_OFFSET);
    }

    int lostNewest(long base) {
        return control.get(JAVA_INT, base + LOST_NEWEST_OFFSET);
    }

    long acquireState(long base) {
        return (long) LONG.getAcquire(control, base + STATE_OFFSET);
    }

    boolean casState(long base, long expected, long update) {
        if (chain == null) {
            return LONG.compareAndSet(control, base + STATE_OFFSET, expected, update);
        }
        // chained: whoever's CAS makes a published slot final drops its block reference. The fields are read
        // before the CAS: the slot cannot be reused while its state is READY/TAKEN of the expected position.
        long dataOffset = dataOffset(base);
        int flags = flags(base);
        if (!LONG.compareAndSet(control, base + STATE_OFFSET, expected, update)) {
            return false;
        }
        int from = code(expected);
        if ((from == STATE_READY || from == STATE_TAKEN) && isFinal(code(update)) && (flags & FLAG_MISSING) == 0) {
            chain.slotReleased(dataOffset);
        }
        return true;
    }

    static int code(long state) {
        return (int) (state & STATE_CODE_MASK);
    }

    static long positionOf(long state) {
        return state >>> STATE_CODE_BITS;
    }
}
