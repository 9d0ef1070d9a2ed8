package io.dsipanama.stream;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.util.Objects;

import static io.dsipanama.stream.PacketDescriptorDescriptor.*;
import static io.dsipanama.stream.StreamHeaderDescriptor.*;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The one producer of a stream (DSI §4.2): claims regions of the data area, lets the caller write them in
 * place, and publishes each as a packet with its virtual time. The data area is managed as a byte ring in
 * publication order; a packet that does not fit before the end starts at offset 0 (the gap is freed with
 * it). Allocations are rounded up to {@link #ALIGNMENT} bytes, so two packets never share a cache line.
 *
 * <p><b>Room.</b> A claim needs a free descriptor and contiguous bytes. When there are none the producer,
 * in this order: frees positions the consumer is done with (released, or discarded as expired or skipped);
 * reclaims the oldest packets whose validity ended (counted {@code expired}, or {@code revoked} if the
 * consumer still holds one); then applies the {@link OverflowPolicy}: DROP_OLDEST drops (or revokes) the
 * oldest packet; DROP_NEWEST refuses the claim, counts it, and tells the consumer through the next packet;
 * BLOCK refuses ({@link #tryClaim}) or waits ({@link #claim(int, long)}). All of this reads shared state only
 * when room runs out: in steady state a claim touches only the producer's own words.
 *
 * <p><b>Threading.</b> One thread at a time: the producer is not thread-safe. It may run in any process;
 * the consumer may run concurrently in another one. {@link #close()} may be called once the producing
 * thread stopped.
 */
public final class StreamProducer extends StreamEnd implements AutoCloseable {
    /** Alignment of every allocation in the data area: one cache line. */
    public static final int ALIGNMENT = CACHE_LINE;

    private static final VarHandle LONG = JAVA_LONG.varHandle();
    private static final long WAIT_SLICE_NS = 100_000_000L;
    /** Refusals between two looks at the consumer's liveness and cursor ({@link #mayTakeBack}). */
    private static final int TAKE_BACK_LOOK_EVERY = 64;

    private final PeerAttachment peer;
    private final ConsumerLiveness consumerLiveness;
    private final Claim claim;
    private final int descriptorCount;
    private final long[] record = new long[DropRecord.FIELDS];
    private final Reclaimer reclaimer;
    private final LockDemand lock;

    private long position;       // next position to publish
    private long consumerPositionAtAttach;
    private long allocHead;      // data-area byte position after the newest allocation (never wraps)
    private long allocOffset;    // allocHead % dataLength, kept incrementally
    private long roomStart;      // where the room makeRoom found starts (after any wrap gap)
    private long roomAllocation; // what the slot records as its allocation: with the wrap gap unless the ring is empty
    private long lastVirtualTime;
    private int refusedSincePublish;
    private int refusalsSinceLook;
    private boolean claimed;
    private boolean closed;

    private StreamProducer(StreamMapping mapping, ChainLink chain) {
        super(mapping, chain);
        this.descriptorCount = spec.descriptorCount();
        this.claim = new Claim(this, data);
        this.reclaimer = new Reclaimer(mapping, slots, io.dsipanama.ffm.Unistd.pageSize(), chain != null);
        this.peer = PeerAttachment.attach(name, header, StreamRole.PRODUCER);
        this.lock = new LockDemand(mapping, StreamRole.PRODUCER); // after the attach: the lock word is ours now
        this.consumerLiveness = new ConsumerLiveness(header);
        this.consumerPositionAtAttach = consumerPosition();
        recover();
    }

    /** Creates stream {@code name} in {@code directory} and becomes its producer. */
    public static StreamProducer create(StreamDirectory directory, String name, StreamSpec spec) {
        return attach(directory.create(name, spec));
    }

    /** Becomes the producer of the existing stream {@code name} (the previous one closed or died). */
    public static StreamProducer open(StreamDirectory directory, String name) {
        return attach(directory.open(name, StreamRole.PRODUCER));
    }

    private static StreamProducer attach(StreamMapping mapping) {
        return attach(mapping, null);
    }

    /** Becomes the producer over {@code mapping}; with a {@code chain}, packets live in the chain's data area. */
    static StreamProducer attach(StreamMapping mapping, ChainLink chain) {
        try {
            return new StreamProducer(mapping, chain);
        } catch (RuntimeException | Error e) {
            mapping.close();
            throw e;
        }
    }

    /**
     * Rebuilds the private cursors from shared memory, so a producer can take over from one that died: the
     * drop record gives the free position and totals, and positions whose slot is complete count as
     * published even if the dead producer did not get to store {@code producer_position}. A slot left
     * half-written (odd sequence) is simply written again: the consumer never saw it as complete.
     */
    private void recover() {
        long published = (long) LONG.getAcquire(header, (long) PRODUCER_POSITION_OFFSET);
        while (slots.acquireSequence(slots.base(published)) == publishedSequence(published)) {
            published++;
        }
        position = published;
        if (!dropRecord.read(record) || record[DropRecord.FREE] > position
                || position - record[DropRecord.FREE] > descriptorCount) {
            throw new StreamCorruptionException(position, "stream '" + name + "': drop record (free position "
                    + record[DropRecord.FREE] + ") is inconsistent with producer position " + position);
        }
        allocHead = header.get(JAVA_LONG, ALLOC_HEAD_OFFSET);
        if (position > 0) {
            // the dead producer may have published its last packet without storing alloc_head
            long last = slots.base(position - 1);
            long allocation = slots.allocation(last);
            if (slots.dataOffset(last) < 0 || slots.dataOffset(last) > dataLength - Math.max(0, slots.length(last))
                    || slots.length(last) < 0 || slots.length(last) > spec.maxPacketBytes()) {
                throw new StreamCorruptionException(position - 1, "stream '" + name + "': the last published "
                        + "descriptor (data_offset " + slots.dataOffset(last) + ", length " + slots.length(last)
                        + ") is outside the data area; cannot take over");
            }
            long start = allocation + Math.floorMod(slots.dataOffset(last) - Math.floorMod(allocation, dataLength),
                    dataLength);
            if (chain == null) { // chained streams allocate blocks of the chain, not bytes of this ring
                allocHead = Math.max(allocHead, start + align(slots.length(last)));
            }
            lastVirtualTime = slots.virtualTime(last);
        }
        allocOffset = Math.floorMod(allocHead, dataLength);
        dropRecord.publish(record);
        // the dead producer may have closed slots without storing its position: a consumer's stall watch
        // and catch-up compare the drop record with it
        LONG.setRelease(header, (long) PRODUCER_POSITION_OFFSET, position);
    }

    public String name() {
        return name;
    }

    public StreamSpec spec() {
        return spec;
    }

    /** The next position to be published (= packets and markers published so far). */
    public long position() {
        return position;
    }

    /** The virtual time now, by the stream's mapping of CLOCK_MONOTONIC. */
    public long virtualTimeNow() {
        return spec.toVirtualTime(System.nanoTime());
    }

    /**
     * The consumer's spool-forward target (DSI: "skip until virtual time T"): the consumer will discard
     * packets with an earlier virtual time, so the producer may skip producing them. {@code Long.MIN_VALUE}
     * if the consumer never asked.
     */
    public long spoolTarget() {
        return (long) LONG.getAcquire(header, (long) SPOOL_TARGET_OFFSET);
    }

    /** The consumer's cursor: every position below it was taken, discarded or dropped. */
    public long consumerPosition() {
        return (long) LONG.getAcquire(header, (long) CONSUMER_POSITION_OFFSET);
    }

    /** True once a consumer attached and then closed or died (a new one may still attach). */
    public boolean isConsumerGone() {
        return peer.peerGone(consumerPosition() > consumerPositionAtAttach);
    }

    /**
     * Claims {@code length} bytes (0..maxPacketBytes) without waiting. Returns the claim to write into and
     * commit, or {@code null} when there is no room under the stream's policy: DROP_NEWEST counts the refusal
     * as a dropped packet (reported to the consumer with the next packet); BLOCK counts nothing (retry, or
     * use {@link #claim(int, long)}). DROP_OLDEST always succeeds. One claim may be outstanding at a time.
     */
    public Claim tryClaim(int length) {
        checkClaimable(length);
        long offset = room(align(length), spec.policy() == OverflowPolicy.DROP_OLDEST, true);
        if (offset < 0) {
            refused();
            return null;
        }
        return claim.open(offset, length, roomAllocation, roomStart);
    }

    /**
     * Like {@link #tryClaim} but, under BLOCK, waits up to {@code timeoutNs} (negative: forever) for the
     * consumer to make room, sleeping on a futex (a wake-up costs the consumer a system call only while the
     * producer sleeps). Returns null on timeout. Throws {@link StreamPeerGoneException} when the consumer
     * that held the packets in the way died or closed. Under the other policies it does not wait.
     */
    public Claim claim(int length, long timeoutNs) {
        if (spec.policy() != OverflowPolicy.BLOCK) {
            return tryClaim(length);
        }
        checkClaimable(length);
        int aligned = align(length);
        long offset = awaitRoom(aligned, timeoutNs, true);
        return offset < 0 ? null : claim.open(offset, length, roomAllocation, roomStart);
    }

    /** Copying convenience: claims, copies {@code source}, commits. False when {@link #tryClaim} found no room. */
    public boolean offer(MemorySegment source, long virtualTime) {
        return offer(source, virtualTime, 0);
    }

    /** Copying convenience with {@link #claim(int, long)}'s waiting. */
    public boolean offer(MemorySegment source, long virtualTime, long timeoutNs) {
        int length = Math.toIntExact(source.byteSize());
        Claim c = timeoutNs == 0 ? tryClaim(length) : claim(length, timeoutNs);
        if (c == null) {
            return false;
        }
        MemorySegment.copy(source, 0, data, c.offset(), length);
        c.commit(virtualTime);
        return true;
    }

    /**
     * Publishes "no data for virtual time {@code virtualTime}" (DSI §4.1): a descriptor with the MISSING flag
     * and no data, which the consumer counts as {@link LossReason#MISSING}. Needs a free descriptor like a
     * packet; returns false when there is none (BLOCK, or DROP_NEWEST which counts the refusal).
     */
    public boolean markMissing(long virtualTime) {
        if (claimed) {
            throw new IllegalStateException("stream '" + name + "': a claim is outstanding; commit or abort it first");
        }
        checkVirtualTime(virtualTime);
        long offset = makeRoom(0, spec.policy() == OverflowPolicy.DROP_OLDEST);
        if (offset < 0) {
            refused();
            return false;
        }
        publish(virtualTime, offset, 0, FLAG_MISSING, roomAllocation);
        counters.addCounter(StreamCounter.PRODUCER_MARKED_MISSING, 1);
        return true;
    }

    void commit(Claim c, long virtualTime, int length) {
        if (length < 0 || length > c.length()) {
            throw new IllegalArgumentException("commit length " + length + " outside the claimed 0.." + c.length());
        }
        checkVirtualTime(virtualTime);
        if (chain != null) {
            if (!publishChained(virtualTime, c.offset(), length, c.allocation(), true)) {
                claimed = false;
                throw new IllegalStateException("stream '" + name + "': the claimed block was taken from this holder");
            }
        } else {
            publish(virtualTime, c.offset(), length, 0, c.allocation());
            allocHead = c.start() + align(length);
            allocOffset = c.offset() + align(length);
            if (allocOffset == dataLength) {
                allocOffset = 0;
            }
            LONG.setOpaque(header, (long) ALLOC_HEAD_OFFSET, allocHead);
        }
        claimed = false;
        counters.addCounter(StreamCounter.PRODUCED, 1);
        counters.addCounter(StreamCounter.BYTES_PRODUCED, length);
    }

    void abort() {
        claimed = false;
        if (chain != null) {
            chain.holder.abort(claim.offset());
        }
    }

    /**
     * Forwards {@code packet}, a packet this process holds from another stream, with its virtual time and
     * without waiting: see {@link #forward(Packet, long, long)}.
     */
    public boolean forward(Packet packet) {
        return forward(packet, packet.virtualTime(), 0);
    }

    /**
     * Publishes {@code packet} (held, from any consumer of this process) on this stream. If both streams share
     * a chain's data area (memory chaining) the new slot points at the same block, no byte is copied, and the
     * block gains a reference (the caller still releases {@code packet} as usual); otherwise the bytes are
     * copied into a claim. Waits like {@link #claim(int, long)} under BLOCK when {@code timeoutNs != 0}. False
     * when there was no room (counted as for a claim), or when the packet was revoked or expired.
     */
    public boolean forward(Packet packet, long virtualTime, long timeoutNs) {
        checkClaimable(packet.length());
        checkVirtualTime(virtualTime);
        int length = packet.length();
        if (chain == null || !chain.sameArea(packet)) {
            Claim c = timeoutNs == 0 ? tryClaim(length) : claim(length, timeoutNs);
            if (c == null) {
                return false;
            }
            MemorySegment.copy(packet.buffer(), packet.offset(), data, c.offset(), length);
            if (!packet.isStillValid()) {
                c.abort();
                return false;
            }
            c.commit(virtualTime);
            return true;
        }
        if (!packet.isStillValid()) {
            return false;
        }
        long room = spec.policy() == OverflowPolicy.BLOCK && timeoutNs != 0 ? awaitRoom(0, timeoutNs, false)
                : room(0, spec.policy() == OverflowPolicy.DROP_OLDEST, false);
        if (room < 0) {
            refused();
            return false;
        }
        if (!publishChained(virtualTime, packet.offset(), length, roomAllocation, false)) {
            return false; // revoked or freed between the check and the reference
        }
        counters.addCounter(StreamCounter.PRODUCED, 1);
        counters.addCounter(StreamCounter.BYTES_PRODUCED, length);
        return true;
    }

    /**
     * Publishes a slot naming the chain block at {@code offset}: the holder adds the slot's reference and
     * records what it is publishing, the slot is published, the holder clears its mark. If the block was
     * revoked meanwhile the reclaim's scan may have missed the new slot, so it is revoked here (whichever
     * CAS wins drops the reference once).
     */
    private boolean publishChained(long virtualTime, long offset, int length, long allocation, boolean fromClaim) {
        long p = position;
        if (!chain.holder.beginPublish(offset, chain.stream, p, fromClaim)) {
            return false;
        }
        publish(virtualTime, offset, length, 0, allocation);
        if (chain.holder.endPublish(offset, !fromClaim)) {
            slots.casState(slots.base(p), state(p, STATE_READY), state(p, STATE_REVOKED));
        }
        return true;
    }

    private void publish(long virtualTime, long offset, int length, int flags, long allocation) {
        long base = slots.base(position);
        long expiry = saturatingAdd(virtualTime, spec.validityTicks());
        slots.open(base, position);
        slots.write(base, virtualTime, offset, length, flags, expiry, state(position, STATE_READY), allocation,
                refusedSincePublish);
        slots.close(base, position);
        refusedSincePublish = 0;
        lastVirtualTime = virtualTime;
        position++;
        // pairs with the getAcquire in recover() and in monitors
        LONG.setRelease(header, (long) PRODUCER_POSITION_OFFSET, position);
        LONG.setOpaque(header, (long) LAST_VIRTUAL_TIME_OFFSET, virtualTime);
        if (dataSignal.signal()) {
            counters.addCounter(StreamCounter.FUTEX_WAKES_CONSUMER, 1);
        }
        lock.tick(); // a demotion request is answered within CHECK_EVERY_PACKETS packets
    }

    private void refused() {
        lock.check();
        if (spec.policy() == OverflowPolicy.DROP_NEWEST) {
            refusedSincePublish++;
            counters.addCounter(StreamCounter.DROPPED_OVERFLOW_NEWEST, 1);
        }
        restoreSharedCursors();
    }

    /**
     * Out of room: the consumer may be stalled on scribbled cursors while we wait for it, and we publish
     * nothing that would overwrite them. Re-stores {@code producer_position} and the drop record if they
     * differ from ours (loads of our own line; stores only after a scribble), so its stall watch resolves.
     */
    private void restoreSharedCursors() {
        if ((long) LONG.getOpaque(header, (long) PRODUCER_POSITION_OFFSET) != position) {
            LONG.setRelease(header, (long) PRODUCER_POSITION_OFFSET, position); // pairs as in publish()
        }
        if (!dropRecord.holds(record)) {
            dropRecord.publish(record);
        }
    }

    /** Waits (BLOCK) for room for {@code aligned} bytes; the data offset, or -1 on timeout. */
    private long awaitRoom(int aligned, long timeoutNs, boolean needBlock) {
        long deadline = System.nanoTime() + timeoutNs;
        while (true) {
            long offset = room(aligned, false, needBlock);
            if (offset >= 0) {
                return offset;
            }
            long now = System.nanoTime();
            long remaining = timeoutNs < 0 ? WAIT_SLICE_NS : deadline - now;
            if (remaining <= 0) {
                return -1;
            }
            String impossible = peer.implausiblePeer();
            if (impossible != null) {
                counters.addCounter(StreamCounter.PRODUCER_CORRUPTION_DETECTED, 1);
                throw new StreamCorruptionException(position, "stream '" + name + "': " + impossible);
            }
            if (isConsumerGone() && consumerPosition() < position) {
                throw new StreamPeerGoneException(StreamRole.CONSUMER, peer.peer(), "stream '" + name
                        + "': producer blocked for room, but " + peer.peerGoneReason());
            }
            peer.heartbeat(now);
            lock.check(); // a blocked producer answers a demotion request within one wait slice
            restoreSharedCursors();
            refusalsSinceLook = TAKE_BACK_LOOK_EVERY; // a waiting producer looks on every try
            int observed = spaceSignal.prepare();
            offset = room(aligned, false, needBlock);
            if (offset >= 0) {
                spaceSignal.done();
                return offset;
            }
            counters.addCounter(StreamCounter.FUTEX_WAITS_PRODUCER, 1);
            spaceSignal.await(observed, Math.min(remaining, WAIT_SLICE_NS));
            spaceSignal.done();
        }
    }

    /**
     * Room for a packet: a descriptor and {@code aligned} bytes of this stream's ring or, chained, a
     * descriptor and (if {@code needBlock}) a block of the chain. The data offset, or -1.
     */
    private long room(int aligned, boolean dropOldest, boolean needBlock) {
        if (chain == null) {
            return makeRoom(aligned, dropOldest);
        }
        long offset = makeRoom(0, dropOldest);
        return offset < 0 || !needBlock ? offset : chainBlock(dropOldest);
    }

    /**
     * A block of the chain for the next claim. When none is free, frees this stream's oldest positions while
     * that can release one (expired, or under DROP_OLDEST), then sweeps dead holders once.
     */
    private long chainBlock(boolean dropOldest) {
        long nowNs = expires ? System.nanoTime() : Long.MIN_VALUE;
        boolean swept = false;
        while (true) {
            long offset = chain.holder.allocate();
            if (offset >= 0) {
                return offset;
            }
            long free = record[DropRecord.FREE];
            if (free < position && freeOldest(free, nowNs, dropOldest)) {
                record[DropRecord.FREE] = free + 1;
                dropRecord.publish(record);
            } else if (!swept) {
                swept = true;
                chain.holder.sweepDead();
            } else {
                return -1;
            }
        }
    }

    /**
     * Finds room for {@code aligned} bytes and a descriptor, freeing and (if {@code dropOldest}) dropping the
     * oldest positions as needed. Returns the data offset (and sets {@code roomStart} and
     * {@code roomAllocation}), or -1. Publishes the drop record if it moved.
     */
    private long makeRoom(int aligned, boolean dropOldest) {
        long free = record[DropRecord.FREE];
        long nowNs = Long.MIN_VALUE;
        try {
            while (true) {
                long start = allocOffset + aligned <= dataLength ? allocHead : allocHead + (dataLength - allocOffset);
                long tail = free < position ? slots.allocation(slots.base(free)) : start;
                if (position - free < descriptorCount && start + aligned - tail <= dataLength) {
                    roomStart = start;
                    roomAllocation = free == position ? start : allocHead;
                    return start == allocHead ? allocOffset : 0;
                }
                if (free == position) {
                    throw new IllegalStateException("stream '" + name + "': " + aligned + " bytes cannot fit "
                            + dataLength); // unreachable: aligned <= maxPacket <= dataLength
                }
                if (nowNs == Long.MIN_VALUE && expires) {
                    nowNs = System.nanoTime();
                }
                if (!freeOldest(free, nowNs, dropOldest)) {
                    return -1;
                }
                free++;
            }
        } finally {
            if (free != record[DropRecord.FREE]) {
                record[DropRecord.FREE] = free;
                dropRecord.publish(record);
            }
        }
    }

    /**
     * Frees position {@code p} (the oldest not yet freed) if the consumer is done with it, if it expired,
     * or if {@code dropOldest}. Returns false if it must stay.
     */
    private boolean freeOldest(long p, long nowNs, boolean dropOldest) {
        long base = slots.base(p);
        while (true) {
            long state = slots.acquireState(base);
            if (Slots.positionOf(state) != p) {
                repair(p, base, state, "state word 0x" + Long.toHexString(state) + " belongs to position "
                        + Slots.positionOf(state));
                continue; // the consumer changed it meanwhile: decide again
            }
            int code = Slots.code(state);
            if (isFinal(code)) {
                // a drop decided outside this method (reclaim, or a producer that died before publishing the
                // record) enters the drop record's totals now, when free_position passes it
                int decided = Reclaimer.dropRecordTotal(code);
                if (decided >= 0) {
                    record[decided]++;
                }
                record[DropRecord.NEWEST] += Math.max(0, slots.lostNewest(base));
                return true;
            }
            if (code != STATE_READY && code != STATE_TAKEN) {
                repair(p, base, state, "state code " + code + " is impossible for a position not yet freed");
                continue;
            }
            boolean expired = expires && nowNs >= spec.toMonotonicNs(slots.expiry(base));
            boolean takeBack = false;
            if (!expired && !dropOldest && !(takeBack = mayTakeBack(p, code))) {
                return false;
            }
            int drop;
            StreamCounter counter;
            int total;
            if (code == STATE_TAKEN) {
                drop = STATE_REVOKED;
                counter = takeBack ? StreamCounter.RECOVERED_FROM_DEAD_CONSUMER : StreamCounter.REVOKED;
                total = -1;
            } else if (code == STATE_READY && (slots.flags(base) & FLAG_MISSING) != 0) {
                drop = STATE_DROPPED_MISSING;
                counter = StreamCounter.MISSING_DROPPED;
                total = DropRecord.MISSING;
            } else { // READY
                drop = expired ? STATE_EXPIRED : STATE_DROPPED_OLDEST;
                counter = expired ? StreamCounter.EXPIRED : StreamCounter.DROPPED_OVERFLOW_OLDEST;
                total = expired ? DropRecord.EXPIRED : DropRecord.OLDEST;
            }
            if (slots.casState(base, state, state(p, drop))) {
                if (total >= 0) {
                    record[total]++;
                }
                counters.addCounter(counter, 1);
                if (drop == STATE_REVOKED) {
                    reclaimer.punch(base); // the holder's next touch of those pages faults: its notification
                }
                if (takeBack && code == STATE_READY) {
                    // freed on the next try, which also adds its lost_newest
                    counters.addCounter(StreamCounter.PRODUCER_CORRUPTION_DETECTED, 1);
                    throw new StreamCorruptionException(p, "stream '" + name + "': position " + p + ": consumer_position "
                            + consumerPosition() + " is past it but its state is READY (dropped it as the oldest)");
                }
                record[DropRecord.NEWEST] += Math.max(0, slots.lostNewest(base));
                return true;
            }
            // the consumer changed the state (took, released or discarded it): decide again
        }
    }

    /**
     * Reclaims position {@code p} (DSI §4.3): if it is published and not yet final, the consumer loses it
     * ({@link LossReason#REVOKED}; a held packet becomes invalid) and its whole pages go back to the kernel
     * (see {@link Reclaimer}). Returns false if there was nothing to take back.
     */
    public boolean reclaim(long p) {
        boolean taken = p >= record[DropRecord.FREE] && p < position && reclaimer.takeBack(p, STATE_RECLAIMED);
        freeFinished();
        return taken;
    }

    /** Reclaims the oldest packet not yet released or dropped; returns its position, or -1 if there is none. */
    public long reclaimOldest() {
        long p = reclaimer.oldest(record[DropRecord.FREE], position);
        freeFinished();
        return p;
    }

    /** Reclaims every packet with a virtual time before {@code virtualTime}; returns how many. */
    public int reclaimOlderThan(long virtualTime) {
        int n = reclaimer.olderThan(record[DropRecord.FREE], position, virtualTime);
        freeFinished();
        return n;
    }

    /** Reclaims every packet not yet released or dropped; returns how many. */
    public int reclaimAll() {
        return reclaimOlderThan(Long.MAX_VALUE);
    }

    /**
     * Returns the memory of expired packets now (counted {@code expired}, or {@code revoked} if held) instead
     * of when room runs out; a no-op unless packets expire by the clock. Returns how many.
     */
    public int reclaimExpired() {
        int n = expires ? reclaimer.expired(record[DropRecord.FREE], position, spec, System.nanoTime()) : 0;
        freeFinished();
        return n;
    }

    /** Frees the oldest positions whose state is final and publishes the drop record if it moved. */
    private void freeFinished() {
        long free = record[DropRecord.FREE];
        while (free < position && freeOldest(free, Long.MIN_VALUE, false)) {
            free++;
        }
        if (free != record[DropRecord.FREE]) {
            record[DropRecord.FREE] = free;
            dropRecord.publish(record);
        }
    }

    /**
     * Under BLOCK and DROP_NEWEST the oldest position stays until the consumer is done with it, except: a
     * TAKEN packet whose consumer died or closed (nobody will release it: item 7, the producer recovers it
     * itself), and a READY one the consumer's cursor is already past (impossible: the consumer decides every
     * position it passes, so a shared word was scribbled on; dropping it is what the consumer would see).
     */
    private boolean mayTakeBack(long p, int code) {
        // a producer spinning on tryClaim against a full ring looks at the consumer's words once in a while
        // only, so its back-pressure loop does not pull the consumer's cache lines on every try
        if (++refusalsSinceLook < TAKE_BACK_LOOK_EVERY) {
            return false;
        }
        boolean takeBack = code == STATE_TAKEN ? consumerLiveness.absent(System.nanoTime())
                : code == STATE_READY && consumerPosition() > p;
        // after a positive look, keep looking: the next oldest is likely in the same case
        refusalsSinceLook = takeBack ? TAKE_BACK_LOOK_EVERY : 0;
        return takeBack;
    }

    /**
     * The state word of position {@code p} is impossible: sets it to REVOKED of p (final, so the slot is freed
     * on the next try, and a consumer holding p sees its packet invalid), counts it and throws. Returns if the
     * word changed meanwhile.
     */
    private void repair(long p, long base, long state, String what) {
        if (slots.casState(base, state, state(p, STATE_REVOKED))) {
            counters.addCounter(StreamCounter.PRODUCER_CORRUPTION_DETECTED, 1);
            throw new StreamCorruptionException(p, "stream '" + name + "': position " + p + ": " + what);
        }
    }

    private void checkClaimable(int length) {
        if (claimed) {
            throw new IllegalStateException("stream '" + name + "': a claim is outstanding; commit or abort it first");
        }
        if (closed) {
            throw new IllegalStateException("stream '" + name + "': producer closed");
        }
        if (length < 0 || length > spec.maxPacketBytes()) {
            throw new IllegalArgumentException("stream '" + name + "': packet of " + length + " bytes, the stream "
                    + "takes 0.." + spec.maxPacketBytes());
        }
    }

    private void checkVirtualTime(long virtualTime) {
        if (virtualTime < lastVirtualTime) {
            throw new IllegalArgumentException("stream '" + name + "': virtual time " + virtualTime
                    + " is before the previous packet's " + lastVirtualTime + " (virtual time never goes back)");
        }
    }

    Claim opened() {
        claimed = true;
        return claim;
    }

    static int align(int length) {
        return (length + ALIGNMENT - 1) & -ALIGNMENT;
    }

    static long saturatingAdd(long a, long b) {
        long r = a + b;
        return ((a ^ r) & (b ^ r)) < 0 ? (a < 0 ? Long.MIN_VALUE : Long.MAX_VALUE) : r;
    }

    /**
     * Gives up this process's memory lock on the stream (see {@link MemoryLock}): its pages become ordinary
     * swappable memory; nothing else changes. A no-op for a stream not locked in memory.
     */
    public void unlockMemory() {
        lock.unlockNow();
    }

    /** This end's memory lock: LOCKED, DEMOTED (by {@link #unlockMemory()} or a request), or NONE. */
    public LockState lockState() {
        return lock.isLocked() ? LockState.LOCKED : spec.lockInMemory() ? LockState.DEMOTED : LockState.NONE;
    }

    /** A snapshot of the stream's counters and cursors (any process may take one, see {@link StreamStats}). */
    public StreamStats stats() {
        return StreamStats.read(mapping);
    }

    /** Detaches (the consumer then sees "producer closed" once it drained the stream) and unmaps. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        LONG.setOpaque(header, (long) ALLOC_HEAD_OFFSET, allocHead);
        lock.detach();
        peer.detach();
        dataSignal.signal(); // a sleeping consumer re-checks and learns we are gone
        mapping.close();
    }

    @Override
    public String toString() {
        return "StreamProducer[" + Objects.requireNonNull(name) + " at " + position + "]";
    }
}
