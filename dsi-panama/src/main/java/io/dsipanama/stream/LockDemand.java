package io.dsipanama.stream;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;

import static io.dsipanama.stream.StreamHeaderDescriptor.*;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * One end's side of "unlock under a policy" (see {@link MemoryLock}): watches the header's {@code lock_demand}
 * word and, when a resource manager in any process has incremented it past the value this end last answered,
 * munlocks this end's mappings on the end's own thread and stores {@link LockState#DEMOTED}.
 *
 * <p>Cost: {@link #tick()} runs once per packet on the hot path and is a decrement of a private int; only every
 * {@value #CHECK_EVERY_PACKETS} packets does it load the shared word (opaque: a plain {@code mov} on x86, no
 * fence, no system call, no allocation). {@link #check()} is the slow-path look (a refused claim, before each
 * wait slice of {@code take}/{@code claim}, an idle consumer's stall check). Once demoted, or for a stream not
 * locked, both return at once. The munlock itself is the one system call, made once.
 *
 * <p><b>Threading.</b> Owned by one end and called on its thread only; the words it stores are its role's.
 */
final class LockDemand {
    /** Packets between two loads of {@code lock_demand} on the hot path. */
    static final int CHECK_EVERY_PACKETS = 64;

    private static final VarHandle INT = JAVA_INT.varHandle();
    private static final VarHandle LONG = JAVA_LONG.varHandle();

    private final StreamMapping mapping;
    private final MemorySegment header;
    private final long stateOffset;
    private final long honouredOffset;
    private long honoured;
    private boolean locked;
    private int countdown = CHECK_EVERY_PACKETS;

    /**
     * Attaches as {@code role}: {@code LOCKED} if the mapping was locked, else {@code NONE}. The baseline is
     * the demand read before the mlock ({@link StreamMapping#lockDemandAtMap()}), so a request made between
     * the mlock and now is answered at the first look, never lost.
     */
    LockDemand(StreamMapping mapping, StreamRole role) {
        this.mapping = mapping;
        this.header = mapping.headerSegment();
        boolean producer = role == StreamRole.PRODUCER;
        this.stateOffset = producer ? PRODUCER_LOCK_OFFSET : CONSUMER_LOCK_OFFSET;
        this.honouredOffset = producer ? PRODUCER_LOCK_HONOURED_OFFSET : CONSUMER_LOCK_HONOURED_OFFSET;
        this.locked = mapping.spec().lockInMemory();
        this.honoured = mapping.lockDemandAtMap();
        store(locked ? LockState.LOCKED : LockState.NONE);
    }

    /** Hot path: every {@value #CHECK_EVERY_PACKETS} calls, {@link #check()}. */
    void tick() {
        if (locked && --countdown <= 0) {
            countdown = CHECK_EVERY_PACKETS;
            check();
        }
    }

    /** Slow path: honours a pending demand now. Returns true if it just demoted. */
    boolean check() {
        if (!locked) {
            return false;
        }
        // pairs with the getAndAdd in StreamDirectory.demoteLock (atomic, so no increment is lost; any later
        // value means "at least one request since you last answered")
        long demand = (long) LONG.getOpaque(header, (long) LOCK_DEMAND_OFFSET);
        if (demand == honoured) {
            return false;
        }
        MemoryLock.unlock(mapping);
        locked = false;
        honoured = demand;
        store(LockState.DEMOTED);
        return true;
    }

    /** The unlock the application asked for itself ({@code unlockMemory()}): same effect, same state. */
    void unlockNow() {
        if (locked) {
            MemoryLock.unlock(mapping);
            locked = false;
            store(LockState.DEMOTED);
        }
    }

    boolean isLocked() {
        return locked;
    }

    /** On close: the unmap ends the lock whatever it was. */
    void detach() {
        locked = false;
        store(LockState.NONE);
    }

    private void store(LockState state) {
        header.set(JAVA_LONG, honouredOffset, honoured);
        // pairs with the getAcquire in StreamStats.read / StreamDirectory: a reader that sees the state sees
        // the honoured demand, and (program order after the munlock system call) the unlock is done
        INT.setRelease(header, stateOffset, state.ordinal());
    }
}
