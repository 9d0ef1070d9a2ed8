package io.dsipanama.stream;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;

import static io.dsipanama.stream.StreamHeaderDescriptor.*;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Accessors of the header's lock block (2048..2175, layout 1.2) for anyone but the ends: the requester's
 * increment and monitors' loads. The ends' own stores are in {@link LockDemand}.
 */
final class LockBlock {
    private static final VarHandle INT = JAVA_INT.varHandle();
    private static final VarHandle LONG = JAVA_LONG.varHandle();

    private LockBlock() {
    }

    /** Asks every end that holds a lock to demote it; returns the new demand value. */
    static long request(MemorySegment header) {
        // atomic: two managers asking at once both count; pairs with the opaque load in LockDemand.check
        return (long) LONG.getAndAdd(header, (long) LOCK_DEMAND_OFFSET, 1L) + 1;
    }

    static long demand(MemorySegment header) {
        return (long) LONG.getOpaque(header, (long) LOCK_DEMAND_OFFSET);
    }

    static LockState state(MemorySegment header, StreamRole role) {
        // pairs with the setRelease in LockDemand.store
        return LockState.of((int) INT.getAcquire(header, (long) (role == StreamRole.PRODUCER ? PRODUCER_LOCK_OFFSET
                : CONSUMER_LOCK_OFFSET)));
    }
}
