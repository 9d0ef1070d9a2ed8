package io.dsipanama.stream;

import io.dsipanama.ffm.support.ProcessIdentity;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;

import static io.dsipanama.stream.ChainAreaDescriptor.*;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * A holder of blocks of a {@link ChainArea}: one thread of one process, recorded in a holder record (pid and
 * start time) of the area. Producers and consumers of chained streams are made from a holder
 * ({@link #createProducer}, {@link #openProducer}, {@link #openConsumer}) and use it for every reference change.
 *
 * <p><b>References.</b> A block is referenced (a) by every stream slot that names it and is published but
 * not final (counted in the block word's {@code refs}); the reference is dropped by whoever's CAS moves the
 * slot to a final state (consumer release, expiry, skip, producer drop or revoke, a reclaim), so a block is
 * freed as soon as its last holder lets go; and (b) by a holder that claimed it and has not published it yet,
 * or is in the middle of publishing it (2 bits per holder in the same word).
 *
 * <p><b>Dead holders</b> (kill -9). {@link #sweepDead()} finds holder records whose process is gone and
 * resolves their bits in every block word: PRIVATE is dropped; PUBLISHING means the holder had added a slot
 * reference and was publishing the slot named by its pending fields: if that slot's sequence says published
 * the reference stays (the slot holds it), otherwise it is dropped too. Since the count and the holder's
 * in-flight bits change in one CAS, no instruction boundary leaves an ambiguous state. It then releases the
 * slots a dead or closed consumer still held in every member stream (as a successor consumer would). A sweep
 * runs when an allocation finds no free block, when no holder record is free, and on request.
 *
 * <p><b>Threading.</b> One thread at a time (the holder record has one writer); any number of holders in any
 * number of processes share an area. Hot paths (allocate, publish, release) are CAS loops on one word and
 * allocate nothing.
 */
public final class ChainHolder implements AutoCloseable {
    static final int ATTACHING = -1;
    private static final VarHandle INT = JAVA_INT.varHandle();
    private static final VarHandle LONG = JAVA_LONG.varHandle();

    private final ChainArea area;
    private final MemorySegment all;
    private final int index;
    private final long record;
    private final int blockCount;
    private final int blockBytes;
    private final ChainStreams streams;
    private int cursor;
    private long allocated;
    private long freed;
    private long forwarded;
    private long revoked;
    private boolean closed;

    private ChainHolder(ChainArea area, int index) {
        this.area = area;
        this.all = area.segment();
        this.index = index;
        this.record = holderRecord(index);
        this.blockCount = area.blockCount();
        this.blockBytes = area.blockBytes();
        this.cursor = (int) ((long) index * blockCount / MAX_HOLDERS);
        this.allocated = (long) LONG.getOpaque(all, record + HOLDER_ALLOCATED);
        this.freed = (long) LONG.getOpaque(all, record + HOLDER_FREED);
        this.forwarded = (long) LONG.getOpaque(all, record + HOLDER_FORWARDED);
        this.revoked = (long) LONG.getOpaque(all, record + HOLDER_REVOKED);
        this.streams = new ChainStreams(this);
    }

    static ChainHolder attach(ChainArea area) {
        ProcessIdentity self = ProcessIdentity.self();
        MemorySegment all = area.segment();
        for (int attempt = 0; attempt < 2; attempt++) {
            for (int h = 0; h < MAX_HOLDERS; h++) {
                long rec = holderRecord(h);
                if (INT.compareAndSet(all, rec + HOLDER_PID, 0, ATTACHING)) {
                    all.set(JAVA_LONG, rec + HOLDER_START_TIME, self.startTime());
                    // pairs with the getAcquire of the pid in sweepDead() and monitors
                    INT.setRelease(all, rec + HOLDER_PID, self.pid());
                    return new ChainHolder(area, h);
                }
            }
            if (attempt == 0) {
                sweep(area); // records of dead processes become free
            }
        }
        throw new StreamAccessException(StreamAccessException.Reason.PEER_ATTACHED, "chain '" + area.name()
                + "': all " + MAX_HOLDERS + " holder records are taken by live processes");
    }

    /** Sweeps with a temporary holder, for callers that have none (attach with a full table). */
    private static void sweep(ChainArea area) {
        MemorySegment all = area.segment();
        ProcessIdentity self = ProcessIdentity.self();
        for (int h = 0; h < MAX_HOLDERS; h++) {
            long rec = holderRecord(h);
            int pid = (int) INT.getAcquire(all, rec + HOLDER_PID);
            if (pid > 0 && pid != self.pid() && !ProcessIdentity.isAlive(pid, all.get(JAVA_LONG, rec + HOLDER_START_TIME))) {
                // borrow the dead record itself as our holder for the duration of the sweep
                if (INT.compareAndSet(all, rec + HOLDER_PID, pid, ATTACHING)) {
                    ChainHolder borrowed = new ChainHolder(area, h);
                    borrowed.resolveHolder(h);
                    borrowed.streams.releaseDeadConsumers();
                    borrowed.streams.close();
                    INT.setRelease(all, rec + HOLDER_PID, 0); // pairs with the CAS in attach()
                    return;
                }
            }
        }
    }

    public ChainArea area() {
        return area;
    }

    /** This holder's record index (0..{@value ChainAreaDescriptor#MAX_HOLDERS}-1). */
    public int index() {
        return index;
    }

    // ---- streams ---------------------------------------------------------------------------------------

    /** Creates stream {@code name} with the area as its data area and becomes its producer. */
    public StreamProducer createProducer(String name, StreamSpec spec) {
        return streams.createProducer(name, spec);
    }

    /** Becomes the producer of the existing chained stream {@code name}. */
    public StreamProducer openProducer(String name) {
        return streams.openProducer(name);
    }

    /** Becomes the consumer of the chained stream {@code name}. */
    public StreamConsumer openConsumer(String name) {
        return streams.openConsumer(name);
    }

    // ---- reference changes (hot paths) -------------------------------------------------------------------

    /** Claims a free block for this holder (PRIVATE); its data offset, or -1 if none is free. */
    long allocate() {
        for (int n = 0; n < blockCount; n++) {
            int b = cursor;
            cursor = b + 1 == blockCount ? 0 : b + 1;
            long w = area.acquireWord(b);
            if (code(w) == FREE && holderBits(w) == 0
                    && area.casWord(b, w, word(generation(w) + 1, 0, 0, LIVE) | (long) PRIVATE << (HOLDERS_SHIFT + 2 * index))) {
                LONG.setOpaque(all, record + HOLDER_ALLOCATED, ++allocated);
                return (long) b * blockBytes;
            }
        }
        return -1;
    }

    /** Gives back an unpublished claim. */
    void abort(long offset) {
        int b = (int) (offset / blockBytes);
        while (true) {
            long w = area.acquireWord(b);
            if (holderBits(w, index) != PRIVATE) {
                return; // a sweeper already resolved it
            }
            if (area.casWord(b, w, settled(withHolder(w, index, 0)))) {
                return;
            }
        }
    }

    /**
     * Before publishing a slot naming the block at {@code offset} as position {@code position} of member
     * stream {@code stream}: records that in the pending fields, then adds the slot's reference and marks
     * this holder PUBLISHING in one CAS. {@code fromClaim}: the holder's PRIVATE claim turns into it;
     * otherwise (forward) the caller holds the block through a packet. False if the block is not LIVE
     * (revoked or freed: a forward must not publish it).
     */
    boolean beginPublish(long offset, int stream, long position, boolean fromClaim) {
        int b = (int) (offset / blockBytes);
        all.set(JAVA_INT, record + HOLDER_PENDING_STREAM, stream);
        all.set(JAVA_LONG, record + HOLDER_PENDING_POSITION, position);
        all.set(JAVA_INT, record + HOLDER_PENDING_BLOCK, b);
        while (true) {
            long w = area.acquireWord(b);
            int code = code(w);
            if (code == FREE || (!fromClaim && code != LIVE) || refs(w) == MAX_REFS
                    || holderBits(w, index) != (fromClaim ? PRIVATE : 0)) {
                return false;
            }
            // the CAS (a full barrier) publishes the pending fields to a sweeper that sees PUBLISHING
            if (area.casWord(b, w, withHolder(withRefs(w, refs(w) + 1), index, PUBLISHING))) {
                return true;
            }
        }
    }

    /** After the slot was published: drops the PUBLISHING bits. Returns true if the block was revoked meanwhile. */
    boolean endPublish(long offset, boolean forward) {
        int b = (int) (offset / blockBytes);
        if (forward) {
            LONG.setOpaque(all, record + HOLDER_FORWARDED, ++forwarded);
        }
        while (true) {
            long w = area.acquireWord(b);
            if (holderBits(w, index) != PUBLISHING) {
                return true; // a sweeper took it from us (we were thought dead): treat as revoked
            }
            long u = settled(withHolder(w, index, 0));
            if (area.casWord(b, w, u)) {
                return code(w) == REVOKED;
            }
        }
    }

    /** Drops one slot reference of the block at {@code offset} (the slot went final). */
    void releaseSlot(long offset) {
        if (offset < 0 || offset % blockBytes != 0 || offset / blockBytes >= blockCount) {
            return; // an untrusted offset that names no block: nothing of ours to release
        }
        int b = (int) (offset / blockBytes);
        while (true) {
            long w = area.acquireWord(b);
            if (code(w) == FREE || refs(w) == 0) {
                return; // impossible for an honest peer; releasing nothing keeps other holders safe
            }
            if (area.casWord(b, w, settled(withRefs(w, refs(w) - 1)))) {
                return;
            }
        }
    }

    /** True if the block at {@code offset} (a valid block offset) is LIVE. */
    boolean isLive(long offset) {
        return code(area.acquireWord((int) (offset / blockBytes))) == LIVE;
    }

    /** True if {@code offset}/{@code length} lie inside one block (checked before any slice). */
    boolean isBlockExtent(long offset, int length) {
        return offset >= 0 && offset % blockBytes == 0 && offset / blockBytes < blockCount && length >= 0
                && length <= blockBytes;
    }

    private long settled(long w) {
        long u = settle(w);
        if (code(u) == FREE) {
            LONG.setOpaque(all, record + HOLDER_FREED, ++freed);
        }
        return u;
    }

    // ---- reclaim, sweep ------------------------------------------------------------------------------

    /**
     * Reclaims the block at data offset {@code offset} (DSI §4.3 across a chain): CAS LIVE to REVOKED, then
     * every slot of every member stream that names it and is not final becomes REVOKED (a queued packet is
     * reported {@link LossReason#REVOKED} to its consumer, a held one answers {@code isStillValid() == false}),
     * then its pages are punched out of the file. The block is freed when the last slot reference goes.
     * Returns false if the block was not LIVE.
     */
    public boolean revoke(long offset) {
        if (!isBlockExtent(offset, 0)) {
            throw new IllegalArgumentException("chain '" + area.name() + "': " + offset + " is not a block offset");
        }
        int b = (int) (offset / blockBytes);
        while (true) {
            long w = area.acquireWord(b);
            if (code(w) != LIVE) {
                return false;
            }
            if (area.casWord(b, w, (w & ~3L) | REVOKED)) {
                break;
            }
        }
        streams.revokeSlots(offset);
        area.punch(b);
        LONG.setOpaque(all, record + HOLDER_REVOKED, ++revoked);
        return true;
    }

    /** Resolves the records of dead holders and the packets dead consumers held; returns records freed. */
    public int sweepDead() {
        int swept = 0;
        for (int h = 0; h < MAX_HOLDERS; h++) {
            long rec = holderRecord(h);
            int pid = (int) INT.getAcquire(all, rec + HOLDER_PID);
            if (h == index || pid <= 0) {
                continue;
            }
            if (!ProcessIdentity.isAlive(pid, all.get(JAVA_LONG, rec + HOLDER_START_TIME))
                    && INT.compareAndSet(all, rec + HOLDER_PID, pid, ATTACHING)) {
                resolveHolder(h);
                INT.setRelease(all, rec + HOLDER_PID, 0); // pairs with the CAS in attach()
                swept++;
            }
        }
        streams.releaseDeadConsumers();
        return swept;
    }

    /** Resolves holder {@code h}'s bits in every block (h is dead, or is this holder closing). */
    private void resolveHolder(int h) {
        long rec = holderRecord(h);
        for (int b = 0; b < blockCount; b++) {
            while (true) {
                long w = area.acquireWord(b);
                int bits = holderBits(w, h);
                if (bits == 0) {
                    break;
                }
                long u = withHolder(w, h, 0);
                if (bits == PUBLISHING && refs(u) > 0) {
                    int stream = all.get(JAVA_INT, rec + HOLDER_PENDING_STREAM);
                    long position = all.get(JAVA_LONG, rec + HOLDER_PENDING_POSITION);
                    int block = all.get(JAVA_INT, rec + HOLDER_PENDING_BLOCK);
                    if (block == b && !streams.isPublished(stream, position)) {
                        u = withRefs(u, refs(u) - 1); // the slot it was publishing never appeared
                    }
                }
                if (area.casWord(b, w, settled(u))) {
                    break;
                }
            }
        }
    }

    int blockBytes() {
        return blockBytes;
    }

    /** Gives back any claim, closes the member-stream views, frees the holder record. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        resolveHolder(index);
        streams.close();
        long rec = record + HOLDER_PID;
        INT.setRelease(all, rec, 0); // pairs with the CAS in attach()
    }
}
