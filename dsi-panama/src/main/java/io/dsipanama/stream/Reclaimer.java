package io.dsipanama.stream;

import io.dsipanama.ffm.Fcntl;

import static io.dsipanama.stream.PacketDescriptorDescriptor.*;

/**
 * The producer's reclaim (DSI §4.3): takes produced-but-unconsumed packets back and returns their pages to
 * the kernel. Taking back position {@code p} is two steps, in this order:
 * <ol>
 * <li>one CAS on the slot's state: READY to {@code RECLAIMED} (the consumer never took it: it will count it
 *     {@link LossReason#REVOKED} when it passes the position, or through the drop record if it was lapped), or
 *     TAKEN to {@code REVOKED} (the consumer holds it: {@link Packet#isStillValid()} answers false from now on,
 *     and {@link Packet#release()} reports it). Expiry uses EXPIRED instead of RECLAIMED. A lost CAS means the
 *     consumer moved the state first; the reclaimer looks again. A final state is left alone.</li>
 * <li>{@code fallocate(FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE)} on the stream file over the pages that lie
 *     <em>wholly</em> inside the packet's bytes. That frees the pages and unmaps them from every process, so
 *     the consumer's next touch of one raises a page fault, which its {@link FaultWatch} turns into the
 *     notification. A page the packet shares with a neighbour is never punched: a punch zeroes what it
 *     covers, and the neighbour may be live. Packets smaller than a page, or not covering one whole page,
 *     are taken back by state alone (no fault then; the state check still tells the consumer).</li>
 * </ol>
 * The CAS comes first, so a consumer that reads zeros (or, after reuse, another packet's bytes) through a
 * punched page always finds the packet invalid when it checks: the fault can only add a notification, never
 * let reclaimed data pass as valid.
 *
 * <p><b>Threading.</b> The producer's thread only (it reads the producer's private cursors).
 */
final class Reclaimer {
    private static final int PUNCH = Fcntl.FALLOC_FL_PUNCH_HOLE | Fcntl.FALLOC_FL_KEEP_SIZE;

    private final String name;
    private final Slots slots;
    private final StreamHeader counters;
    private final int fd;
    private final long dataFileOffset;
    private final long dataLength;
    private final long pageSize;
    private final boolean punches;

    /**
     * A reclaimer for the producer over {@code mapping}. {@code chained}: the packets live in a chain's shared
     * data area (memory chaining), where a block may still be named by other streams of the pipeline, so this
     * stream's reclaim only takes back its own reference (the state CAS) and never punches; taking a block away
     * from every holder is {@link ChainHolder#revoke(long)}, which punches the chain's file.
     */
    Reclaimer(StreamMapping mapping, Slots slots, long pageSize, boolean chained) {
        this.name = mapping.name();
        this.slots = slots;
        this.counters = mapping.header();
        this.fd = mapping.fd();
        this.dataFileOffset = mapping.layout().dataOffset();
        this.dataLength = mapping.layout().dataLength();
        this.pageSize = pageSize;
        this.punches = !chained;
    }

    /**
     * Takes position {@code p} back: READY becomes {@code readyCode} (RECLAIMED or EXPIRED), TAKEN becomes
     * REVOKED, then the packet's whole pages are punched. MISSING markers (no data) and final states are left
     * alone. Returns true if this call took the packet back.
     */
    boolean takeBack(long p, int readyCode) {
        long base = slots.base(p);
        while (true) {
            long state = slots.acquireState(base);
            if (Slots.positionOf(state) != p) {
                throw new StreamCorruptionException(p, "stream '" + name + "': slot of position " + p
                        + " has state word 0x" + Long.toHexString(state) + " of position " + Slots.positionOf(state));
            }
            int code = Slots.code(state);
            int target;
            if (code == STATE_TAKEN) {
                target = STATE_REVOKED;
            } else if (code == STATE_READY && (slots.flags(base) & FLAG_MISSING) == 0) {
                target = readyCode;
            } else {
                return false; // final already, or a marker without data
            }
            if (slots.casState(base, state, state(p, target))) {
                counters.addCounter(target == STATE_REVOKED ? StreamCounter.REVOKED
                        : target == STATE_EXPIRED ? StreamCounter.EXPIRED : StreamCounter.RECLAIMED, 1);
                punch(base);
                return true;
            }
            // the consumer took, released or discarded it meanwhile: decide again
        }
    }

    /** The first position in {@code [from, to)} this call could take back, or -1. */
    long oldest(long from, long to) {
        for (long p = from; p < to; p++) {
            if (takeBack(p, STATE_RECLAIMED)) {
                return p;
            }
        }
        return -1;
    }

    /** Takes back every position in {@code [from, to)} with a virtual time before {@code virtualTime}. */
    int olderThan(long from, long to, long virtualTime) {
        int n = 0;
        // virtual time never goes back along positions, so the first newer packet ends the scan
        for (long p = from; p < to && slots.virtualTime(slots.base(p)) < virtualTime; p++) {
            if (takeBack(p, STATE_RECLAIMED)) {
                n++;
            }
        }
        return n;
    }

    /** Takes back every position in {@code [from, to)} expired at CLOCK_MONOTONIC {@code nowNs}. */
    int expired(long from, long to, StreamSpec spec, long nowNs) {
        int n = 0;
        for (long p = from; p < to && nowNs >= spec.toMonotonicNs(slots.expiry(slots.base(p))); p++) {
            if (takeBack(p, STATE_EXPIRED)) {
                n++;
            }
        }
        return n;
    }

    /**
     * The drop-record total a producer-decided final state belongs to, or -1 (consumer states, and REVOKED:
     * the consumer passed a revoked position when it took it, so no total may explain it again).
     */
    static int dropRecordTotal(int code) {
        return switch (code) {
            case STATE_DROPPED_OLDEST -> DropRecord.OLDEST;
            case STATE_EXPIRED -> DropRecord.EXPIRED;
            case STATE_DROPPED_MISSING -> DropRecord.MISSING;
            case STATE_RECLAIMED -> DropRecord.RECLAIMED;
            default -> -1;
        };
    }

    /**
     * Punches the pages wholly inside the data of the packet in slot {@code base} (after its state became
     * final or REVOKED: nobody may use those bytes as valid any more). Returns the pages punched.
     */
    long punch(long base) {
        long offset = slots.dataOffset(base);
        long length = slots.length(base);
        if (!punches || offset < 0 || length <= 0 || offset > dataLength - length) {
            return 0; // chained (see the constructor), a marker, or a descriptor we did not write: never punch outside the packet
        }
        long first = (offset + pageSize - 1) / pageSize * pageSize;
        long end = (offset + length) / pageSize * pageSize;
        if (end <= first) {
            return 0;
        }
        Fcntl.fallocate(fd, PUNCH, dataFileOffset + first, end - first);
        long pages = (end - first) / pageSize;
        counters.addCounter(StreamCounter.PAGES_RECLAIMED, pages);
        return pages;
    }

    /** Pages a packet at {@code offset} of {@code length} bytes would give back (the whole pages inside it). */
    static long wholePages(long offset, long length, long pageSize) {
        long first = (offset + pageSize - 1) / pageSize * pageSize;
        long end = (offset + length) / pageSize * pageSize;
        return Math.max(0, (end - first) / pageSize);
    }
}
