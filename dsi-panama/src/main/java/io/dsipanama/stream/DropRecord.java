package io.dsipanama.stream;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;

import static io.dsipanama.stream.StreamHeaderDescriptor.*;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The producer's drop record in the header: {@code free_position} and the totals of positions below it that
 * the producer dropped, by reason, under one seqlock ({@code drop_record_sequence}). A consumer that was
 * lapped (its next position's slot already holds a later packet) reads it to learn how far to jump and why
 * the positions it jumps over were lost: every position below {@code free_position} that this consumer
 * did not take was dropped by the producer and is in exactly one total.
 *
 * <p><b>Threading.</b> {@link #publish} by the producer only; {@link #read} by anyone.
 */
final class DropRecord {
    static final int FREE = 0;
    static final int OLDEST = 1;
    static final int EXPIRED = 2;
    static final int NEWEST = 3;
    static final int MISSING = 4;
    /** Positions the producer reclaimed (READY to RECLAIMED) before the consumer took them. */
    static final int RECLAIMED = 5;
    static final int FIELDS = 6;

    private static final VarHandle LONG = JAVA_LONG.varHandle();
    private static final int SPINS = 1_000;

    private final MemorySegment header;

    DropRecord(MemorySegment header) {
        this.header = header;
    }

    /** Writes {@code values} (indexed by the constants above) under the seqlock. */
    void publish(long[] values) {
        long sequence = header.get(JAVA_LONG, DROP_RECORD_SEQUENCE_OFFSET) | 1; // odd, also if a dead writer left it odd
        LONG.setOpaque(header, (long) DROP_RECORD_SEQUENCE_OFFSET, sequence);
        VarHandle.storeStoreFence();
        header.set(JAVA_LONG, FREE_POSITION_OFFSET, values[FREE]);
        header.set(JAVA_LONG, DROPPED_OLDEST_TOTAL_OFFSET, values[OLDEST]);
        header.set(JAVA_LONG, EXPIRED_TOTAL_OFFSET, values[EXPIRED]);
        header.set(JAVA_LONG, DROPPED_NEWEST_TOTAL_OFFSET, values[NEWEST]);
        header.set(JAVA_LONG, MISSING_DROPPED_TOTAL_OFFSET, values[MISSING]);
        header.set(JAVA_LONG, RECLAIMED_TOTAL_OFFSET, values[RECLAIMED]);
        // pairs with the getAcquire in read(): the fields above are visible to a reader of the even value
        LONG.setRelease(header, (long) DROP_RECORD_SEQUENCE_OFFSET, sequence + 1);
    }

    /** True if the shared record is complete (even sequence) and equals {@code values}: the writer's check. */
    boolean holds(long[] values) {
        return (header.get(JAVA_LONG, DROP_RECORD_SEQUENCE_OFFSET) & 1) == 0
                && header.get(JAVA_LONG, FREE_POSITION_OFFSET) == values[FREE]
                && header.get(JAVA_LONG, DROPPED_OLDEST_TOTAL_OFFSET) == values[OLDEST]
                && header.get(JAVA_LONG, EXPIRED_TOTAL_OFFSET) == values[EXPIRED]
                && header.get(JAVA_LONG, DROPPED_NEWEST_TOTAL_OFFSET) == values[NEWEST]
                && header.get(JAVA_LONG, MISSING_DROPPED_TOTAL_OFFSET) == values[MISSING];
    }

    /** A consistent snapshot into {@code into}; false if the writer was mid-update on every try. */
    boolean read(long[] into) {
        for (int i = 0; i < SPINS; i++) {
            long before = (long) LONG.getAcquire(header, (long) DROP_RECORD_SEQUENCE_OFFSET);
            if ((before & 1) != 0) {
                Thread.onSpinWait();
                continue;
            }
            into[FREE] = header.get(JAVA_LONG, FREE_POSITION_OFFSET);
            into[OLDEST] = header.get(JAVA_LONG, DROPPED_OLDEST_TOTAL_OFFSET);
            into[EXPIRED] = header.get(JAVA_LONG, EXPIRED_TOTAL_OFFSET);
            into[NEWEST] = header.get(JAVA_LONG, DROPPED_NEWEST_TOTAL_OFFSET);
            into[MISSING] = header.get(JAVA_LONG, MISSING_DROPPED_TOTAL_OFFSET);
            into[RECLAIMED] = header.get(JAVA_LONG, RECLAIMED_TOTAL_OFFSET);
            VarHandle.loadLoadFence();
            if ((long) LONG.get(header, (long) DROP_RECORD_SEQUENCE_OFFSET) == before) {
                return true;
            }
        }
        return false;
    }
}
