package io.dsipanama.stream;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;

import static io.dsipanama.stream.PacketDescriptorDescriptor.*;
import static io.dsipanama.stream.StreamHeaderDescriptor.*;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The one consumer of a stream: takes packets in position order, in place (a read-only view of the shared
 * data area, never a copy), and accounts for every position it does not deliver, by {@link LossReason}.
 *
 * <p><b>Taking position p.</b> The slot's sequence says whether p is there yet ({@code 2p+2}), still to
 * come (less), or overwritten (more: the consumer was lapped and reads the producer's {@link DropRecord}
 * to jump ahead and attribute what it missed). For a present packet the consumer reads the descriptor under
 * the seqlock, checks offset and length against the data area, then decides with one CAS on the slot's
 * state: a MISSING marker is passed ({@code RELEASED}), an expired packet discarded
 * ({@code CONSUMER_EXPIRED}), one older than the spool-forward target skipped ({@code SKIPPED}), anything
 * else taken ({@code TAKEN}). A failed CAS means the producer dropped it meanwhile: the consumer looks again.
 * A state the producer set (dropped oldest, expired, dropped marker) is counted under its reason.
 *
 * <p><b>Corruption.</b> Every descriptor is checked before use ({@link SharedChecks}); an idle consumer asks
 * its {@link StallWatch} whether "nothing to do" is possible at all, so a scribbled sequence, cursor or drop
 * record ends in a bounded resynchronisation and a {@link StreamCorruptionException}, never in a stall.
 *
 * <p><b>Blocking.</b> {@link #poll()} never blocks and makes no system call. {@link #take(long)} sleeps on
 * the {@code data_available} futex when nothing is there, with the waiter flag raised, so the producer
 * makes a wake call only then; it wakes at least every 100 ms to notice a producer that died.
 *
 * <p><b>Threading.</b> One thread at a time: the consumer is not thread-safe. The producer runs
 * concurrently, usually in another process.
 */
public final class StreamConsumer extends StreamEnd implements AutoCloseable {
    private static final VarHandle LONG = JAVA_LONG.varHandle();
    private static final VarHandle INT = java.lang.foreign.ValueLayout.JAVA_INT.varHandle();
    private static final long WAIT_SLICE_NS = 100_000_000L;
    /** Empty polls between two looks of the stall watch (a private count: nothing shared on the idle path). */
    private static final int STALL_CHECK_POLLS = 1024;

    private final PeerAttachment peer;
    private final Packet[] packets;
    private final int maxPacket;
    private final long[] pending = new long[LossReason.ALL.length];
    private final long[] lostTotal = new long[LossReason.ALL.length];
    private final long[] attributed = new long[DropRecord.FIELDS];
    private final long[] record = new long[DropRecord.FIELDS];
    private final RevocationWatcher revocations;
    private final LockDemand lock;

    private final StallWatch stall = new StallWatch();
    private long cursor;
    private int idlePolls;
    private long lastFreeSeen = -1;
    private long producerPositionAtAttach;
    private long spoolTarget = Long.MIN_VALUE;
    private boolean closed;

    private StreamConsumer(StreamMapping mapping, ChainLink chain) {
        super(mapping, chain);
        this.maxPacket = spec.maxPacketBytes();
        this.packets = new Packet[spec.descriptorCount()];
        for (int i = 0; i < packets.length; i++) {
            packets[i] = new Packet(this, slots, data);
        }
        this.peer = PeerAttachment.attach(name, header, StreamRole.CONSUMER);
        this.lock = new LockDemand(mapping, StreamRole.CONSUMER); // after the attach: the lock word is ours now
        this.producerPositionAtAttach = (long) LONG.getAcquire(header, (long) PRODUCER_POSITION_OFFSET);
        resume();
        // last: nothing after it may fail, or the resolver thread would outlive a half-built consumer
        this.revocations = new RevocationWatcher(FaultWatch.open(data), packets, counters,
                io.dsipanama.ffm.Unistd.pageSize());
        INT.setOpaque(header, (long) FAULT_WATCH_OFFSET, revocations.watch().mode().ordinal());
    }

    /** Becomes the consumer of stream {@code name} (waits up to 2 s for a stream still being created). */
    public static StreamConsumer open(StreamDirectory directory, String name) {
        return attach(directory.open(name, StreamRole.CONSUMER), null);
    }

    /** Becomes the consumer over {@code mapping}; with a {@code chain}, packets live in the chain's data area. */
    static StreamConsumer attach(StreamMapping mapping, ChainLink chain) {
        try {
            return new StreamConsumer(mapping, chain);
        } catch (RuntimeException | Error e) {
            mapping.close();
            throw e;
        }
    }

    /**
     * Continues where the previous consumer (closed or dead) stopped: its cursor, the drop totals it had
     * already reported, its spool target. Packets it still held are released, so the producer can reuse them.
     */
    private void resume() {
        cursor = (long) LONG.getAcquire(header, (long) CONSUMER_POSITION_OFFSET);
        attributed[DropRecord.OLDEST] = header.get(JAVA_LONG, ATTRIBUTED_OLDEST_OFFSET);
        attributed[DropRecord.EXPIRED] = header.get(JAVA_LONG, ATTRIBUTED_EXPIRED_OFFSET);
        attributed[DropRecord.NEWEST] = header.get(JAVA_LONG, ATTRIBUTED_NEWEST_OFFSET);
        attributed[DropRecord.MISSING] = header.get(JAVA_LONG, ATTRIBUTED_MISSING_OFFSET);
        attributed[DropRecord.RECLAIMED] = header.get(JAVA_LONG, ATTRIBUTED_RECLAIMED_OFFSET);
        spoolTarget = (long) LONG.getAcquire(header, (long) SPOOL_TARGET_OFFSET);
        if (dropRecord.read(record)) {
            boolean freed = false;
            for (long p = Math.max(record[DropRecord.FREE], cursor - spec.descriptorCount()); p < cursor; p++) {
                long base = slots.base(p);
                freed |= slots.casState(base, state(p, STATE_TAKEN), state(p, STATE_RELEASED));
            }
            if (freed) {
                spaceSignal.signal();
            }
        }
    }

    public String name() {
        return name;
    }

    public StreamSpec spec() {
        return spec;
    }

    /** The next position this consumer will look at. */
    public long position() {
        return cursor;
    }

    /** The virtual time now, by the stream's mapping of CLOCK_MONOTONIC. */
    public long virtualTimeNow() {
        return spec.toVirtualTime(System.nanoTime());
    }

    /** True once the producer attached and then closed or died. */
    public boolean isProducerGone() {
        return peer.peerGone((long) LONG.getAcquire(header, (long) PRODUCER_POSITION_OFFSET) > producerPositionAtAttach);
    }

    /** Positions lost for {@code reason} since this consumer attached (including ones not yet reported). */
    public long lost(LossReason reason) {
        return lostTotal[reason.ordinal()];
    }

    /**
     * Spool forward (DSI): from now on, packets with a virtual time before {@code virtualTime} are discarded
     * (counted {@link LossReason#SKIPPED}), and the producer can see the target ({@link StreamProducer#spoolTarget()})
     * to save producing them. A target below the current one is ignored.
     */
    public void spoolForward(long virtualTime) {
        if (virtualTime > spoolTarget) {
            spoolTarget = virtualTime;
            // pairs with the getAcquire in StreamProducer.spoolTarget()
            LONG.setRelease(header, (long) SPOOL_TARGET_OFFSET, virtualTime);
        }
    }

    /** The next packet, or null if none is there now. Never blocks, never makes a system call. */
    public Packet poll() {
        if (closed) {
            throw new IllegalStateException("stream '" + name + "': consumer closed");
        }
        revocations.poll(cursor);
        while (true) {
            long p = cursor;
            long base = slots.base(p);
            long sequence = slots.acquireSequence(base);
            long expected = publishedSequence(p);
            if (sequence != expected) {
                if (sequence > expected && catchUp(p)) {
                    continue;
                }
                if (++idlePolls >= STALL_CHECK_POLLS) {
                    resynchronise(p); // returns unless the stall is impossible
                }
                return null;
            }
            long virtualTime = slots.virtualTime(base);
            long offset = slots.dataOffset(base);
            int length = slots.length(base);
            int flags = slots.flags(base);
            long expiry = slots.expiry(base);
            int lostNewest = slots.lostNewest(base);
            if (slots.recheckSequence(base) != expected) {
                continue; // overwritten while we read: look again
            }
            long state = slots.acquireState(base);
            if (Slots.positionOf(state) > p && slots.acquireSequence(base) != expected) {
                continue; // lapped between the re-check and the state load: the sequence says so now
            }
            if (Slots.positionOf(state) != p) {
                refuse(p, base, state, "state word 0x" + Long.toHexString(state) + " belongs to position "
                        + Slots.positionOf(state));
                continue; // the producer changed it meanwhile: look again
            }
            int code = Slots.code(state);
            if (code == STATE_READY) {
                Packet packet = decide(p, base, state, virtualTime, offset, length, flags, expiry, lostNewest);
                if (packet != null) {
                    return packet;
                }
            } else if (code == STATE_DROPPED_OLDEST || code == STATE_EXPIRED || code == STATE_DROPPED_MISSING) {
                int total = code == STATE_DROPPED_OLDEST ? DropRecord.OLDEST
                        : code == STATE_EXPIRED ? DropRecord.EXPIRED : DropRecord.MISSING;
                attributed[total]++;
                lose(code == STATE_DROPPED_OLDEST ? LossReason.OVERFLOW
                        : code == STATE_EXPIRED ? LossReason.EXPIRED : LossReason.MISSING, 1);
                storeAttributed();
                advance(p, lostNewest);
            } else if (code == STATE_RECLAIMED) {
                attributed[DropRecord.RECLAIMED]++;
                lose(LossReason.REVOKED, 1);
                storeAttributed();
                advance(p, lostNewest);
            } else if (code == STATE_TAKEN || code == STATE_REVOKED) {
                // held by a consumer before us that died before moving the cursor: nobody will release it
                slots.casState(base, state(p, STATE_TAKEN), state(p, STATE_RELEASED));
                lose(LossReason.REVOKED, 1);
                advance(p, lostNewest);
                spaceSignal.signal();
            } else if (code == STATE_RELEASED || code == STATE_CONSUMER_EXPIRED || code == STATE_SKIPPED) {
                // already decided by a consumer (one before us that died before storing its cursor, or this
                // one before a resynchronisation moved it back): it was delivered or counted then
                advance(p, 0);
            } else {
                refuse(p, base, state, "state code " + code + " is impossible for a position not yet taken");
            }
        }
    }

    /**
     * Bounded resynchronisation, run after {@link #STALL_CHECK_POLLS} empty polls and before every sleep: the
     * consumer finds nothing to do at {@code p}, and the {@link StallWatch} judges whether the shared words
     * prove that impossible. If the same impossibility is seen twice in a row (a race never lasts that
     * long), the consumer steps over {@code p} or moves to the producer's live window, counts it and throws
     * {@link StreamCorruptionException}.
     */
    private void resynchronise(long p) {
        idlePolls = 0;
        lock.check(); // idle or about to sleep: the slow path answers a demotion request
        long base = slots.base(p);
        long published = (long) LONG.getAcquire(header, (long) PRODUCER_POSITION_OFFSET);
        long sequence = slots.acquireSequence(base);
        long freeSeen = dropRecord.read(record) ? record[DropRecord.FREE] : -1;
        String what = stall.judge(p, sequence, published, freeSeen);
        if (what == null) {
            restoreSharedCursor(freeSeen);
            return;
        }
        counters.addCounter(StreamCounter.CORRUPTION_DETECTED, 1);
        String message = "stream '" + name + "': position " + p + ": " + what;
        // the producer's live window: its oldest unfreed position if the drop record is sane, else its position
        boolean read = dropRecord.read(record);
        long free = record[DropRecord.FREE];
        boolean sane = read && free >= 0 && free <= published && published - free <= spec.descriptorCount();
        long target = sane ? free : published >= 0 && published < StallWatch.MAX_POSITION ? published : 0;
        if (stall.movesBack() || target > p + 1) {
            // from there every position is either decided already (passed silently) or still to decide
            if (target > p) {
                lose(LossReason.CORRUPT, target - p);
            }
            cursor = target;
            LONG.setRelease(header, (long) CONSUMER_POSITION_OFFSET, cursor); // pairs as in advance()
            spaceSignal.signal();
            throw new StreamCorruptionException(p, message + "; resumed at " + cursor);
        }
        long state = slots.acquireState(base);
        if (Slots.positionOf(state) == p && !isFinal(Slots.code(state))) {
            slots.casState(base, state, state(p, STATE_RELEASED)); // the producer frees it like any other
        }
        lose(LossReason.CORRUPT, 1);
        advance(p, 0);
        spaceSignal.signal();
        throw new StreamCorruptionException(p, message + "; stepped over it");
    }

    /**
     * Idle and nothing impossible at the cursor, but the producer may be waiting on us because of words
     * scribbled behind it: re-stores {@code consumer_position} if it differs from ours (the producer takes
     * back a READY packet we passed only if it sees we passed it), and, if the producer's free position did
     * not move since the last look, releases positions we passed whose state says TAKEN although we hold no
     * such packet (nobody would ever release them). Touches only slots the producer does not write.
     */
    private void restoreSharedCursor(long free) {
        if ((long) LONG.getOpaque(header, (long) CONSUMER_POSITION_OFFSET) != cursor) {
            LONG.setRelease(header, (long) CONSUMER_POSITION_OFFSET, cursor); // pairs as in advance()
        }
        if (free < 0 || free != lastFreeSeen || free >= cursor) {
            lastFreeSeen = free;
            return;
        }
        long phantom = -1;
        for (long q = Math.max(free, cursor - packets.length); q < cursor; q++) {
            long base = slots.base(q);
            Packet held = packets[(int) (q & (packets.length - 1))];
            if (slots.acquireState(base) == state(q, STATE_TAKEN) && !(held.isHeld() && held.position() == q)
                    && slots.casState(base, state(q, STATE_TAKEN), state(q, STATE_RELEASED))) {
                phantom = q;
            }
        }
        if (phantom >= 0) {
            counters.addCounter(StreamCounter.CORRUPTION_DETECTED, 1);
            spaceSignal.signal();
            throw new StreamCorruptionException(phantom, "stream '" + name + "': position " + phantom
                    + ": state says TAKEN but this consumer does not hold it (released it)");
        }
    }

    /** Decides about a READY packet; returns it if taken, null if it was passed (or the producer won the race). */
    private Packet decide(long p, long base, long state, long virtualTime, long offset, int length, int flags,
                          long expiry, int lostNewest) {
        if (!SharedChecks.descriptorPlausible(offset, length, flags, virtualTime, expiry, lostNewest, dataLength,
                maxPacket, spec.validityTicks())) {
            refuse(p, base, state, SharedChecks.describeDescriptor(offset, length, flags, virtualTime, expiry,
                    lostNewest, dataLength, maxPacket, spec.validityTicks()));
            return null;
        }
        if ((flags & FLAG_MISSING) != 0) {
            if (pass(p, base, state, STATE_RELEASED, lostNewest)) {
                lose(LossReason.MISSING, 1);
                counters.addCounter(StreamCounter.MISSING_SEEN, 1);
            }
            return null;
        }
        if (chain != null && !chain.holder.isBlockExtent(offset, length)) {
            refuse(p, base, state, "descriptor offset " + offset + " length " + length
                    + " does not lie inside one block of chain '" + chain.area.name() + "'");
            return null;
        }
        if (expires && System.nanoTime() >= spec.toMonotonicNs(expiry)) {
            if (pass(p, base, state, STATE_CONSUMER_EXPIRED, lostNewest)) {
                lose(LossReason.EXPIRED, 1);
                counters.addCounter(StreamCounter.EXPIRED_AT_CONSUMER, 1);
            }
            return null;
        }
        if (virtualTime < spoolTarget) {
            if (pass(p, base, state, STATE_SKIPPED, lostNewest)) {
                lose(LossReason.SKIPPED, 1);
                counters.addCounter(StreamCounter.SKIPPED, 1);
            }
            return null;
        }
        if (!slots.casState(base, state, state(p, STATE_TAKEN))) {
            return null; // the producer dropped it meanwhile: poll() looks again
        }
        int slot = (int) (p & (packets.length - 1));
        Packet packet = packets[slot];
        if (packet.isHeld()) {
            // the application still holds the packet the producer revoked from this slot: leave that object
            // to it (it reports invalid) and use a fresh one; only after a revocation, so not a hot path
            packet = new Packet(this, slots, data);
            packets[slot] = packet;
        }
        advance(p, lostNewest);
        packet.fill(p, base, virtualTime, expiry, offset, length, pending);
        revocations.taken();
        java.util.Arrays.fill(pending, 0);
        counters.addCounter(StreamCounter.TAKEN, 1);
        lock.tick(); // a demotion request is answered within CHECK_EVERY_PACKETS packets
        return packet;
    }

    /** CASes a READY packet to a final consumer state and advances; false if the producer won the race. */
    private boolean pass(long p, long base, long state, int code, int lostNewest) {
        if (!slots.casState(base, state, state(p, code))) {
            return false;
        }
        advance(p, lostNewest);
        spaceSignal.signal();
        return true;
    }

    private void advance(long p, int lostNewest) {
        if (lostNewest != 0) {
            attributed[DropRecord.NEWEST] += lostNewest;
            lose(LossReason.OVERFLOW, lostNewest);
            storeAttributed();
        }
        cursor = p + 1;
        // pairs with the getAcquire in StreamProducer.consumerPosition(), monitors and a successor's resume()
        LONG.setRelease(header, (long) CONSUMER_POSITION_OFFSET, cursor);
    }

    /**
     * The slot of position {@code p} already holds a later packet: the producer dropped p and more. Jumps to
     * the drop record's free position and attributes the positions jumped over with its totals.
     */
    private boolean catchUp(long p) {
        if (!dropRecord.read(record) || record[DropRecord.FREE] <= p
                || record[DropRecord.FREE] > (long) LONG.getAcquire(header, (long) PRODUCER_POSITION_OFFSET)) {
            return false; // the producer is mid-update (or the record is garbage: the stall watch decides)
        }
        long jumped = record[DropRecord.FREE] - p;
        long oldest = record[DropRecord.OLDEST] - attributed[DropRecord.OLDEST];
        long expired = record[DropRecord.EXPIRED] - attributed[DropRecord.EXPIRED];
        long missing = record[DropRecord.MISSING] - attributed[DropRecord.MISSING];
        long newest = record[DropRecord.NEWEST] - attributed[DropRecord.NEWEST];
        long reclaimed = record[DropRecord.RECLAIMED] - attributed[DropRecord.RECLAIMED];
        long explained = oldest + expired + missing + reclaimed;
        if (oldest < 0 || expired < 0 || missing < 0 || newest < 0 || reclaimed < 0 || explained != jumped) {
            // totals that cannot be (a consumer before us died between two stores, or garbage): count, go on
            counters.addCounter(StreamCounter.CORRUPTION_DETECTED, 1);
            lose(LossReason.OVERFLOW, Math.max(0, jumped - Math.max(0, explained)));
        }
        lose(LossReason.OVERFLOW, Math.max(0, oldest) + Math.max(0, newest));
        lose(LossReason.EXPIRED, Math.max(0, expired));
        lose(LossReason.MISSING, Math.max(0, missing));
        lose(LossReason.REVOKED, Math.max(0, reclaimed));
        System.arraycopy(record, 1, attributed, 1, DropRecord.FIELDS - 1);
        storeAttributed();
        cursor = record[DropRecord.FREE];
        LONG.setRelease(header, (long) CONSUMER_POSITION_OFFSET, cursor); // pairs as in advance()
        return true;
    }

    private void lose(LossReason reason, long n) {
        pending[reason.ordinal()] += n;
        lostTotal[reason.ordinal()] += n;
    }

    private void storeAttributed() {
        LONG.setOpaque(header, (long) ATTRIBUTED_OLDEST_OFFSET, attributed[DropRecord.OLDEST]);
        LONG.setOpaque(header, (long) ATTRIBUTED_EXPIRED_OFFSET, attributed[DropRecord.EXPIRED]);
        LONG.setOpaque(header, (long) ATTRIBUTED_NEWEST_OFFSET, attributed[DropRecord.NEWEST]);
        LONG.setOpaque(header, (long) ATTRIBUTED_MISSING_OFFSET, attributed[DropRecord.MISSING]);
        LONG.setOpaque(header, (long) ATTRIBUTED_RECLAIMED_OFFSET, attributed[DropRecord.RECLAIMED]);
    }

    /**
     * Steps over position {@code p} whose descriptor is impossible and throws; returns instead if the
     * producer changed the state meanwhile (then poll() looks again).
     */
    private void refuse(long p, long base, long state, String what) {
        // the producer frees a RELEASED slot like any other, so the stream stays usable
        if (!slots.casState(base, state, state(p, STATE_RELEASED))) {
            return;
        }
        counters.addCounter(StreamCounter.CORRUPTION_DETECTED, 1);
        lose(LossReason.CORRUPT, 1);
        advance(p, 0);
        spaceSignal.signal();
        throw new StreamCorruptionException(p, "stream '" + name + "': position " + p + ": " + what);
    }

    /**
     * The next packet, waiting up to {@code timeoutNs} (negative: forever). Returns null on timeout; throws
     * {@link StreamPeerGoneException} once the producer closed or died and every packet it left was taken.
     */
    public Packet take(long timeoutNs) {
        long deadline = System.nanoTime() + timeoutNs;
        while (true) {
            Packet packet = poll();
            if (packet != null) {
                return packet;
            }
            long now = System.nanoTime();
            long remaining = timeoutNs < 0 ? WAIT_SLICE_NS : deadline - now;
            if (remaining <= 0) {
                return null;
            }
            String impossible = peer.implausiblePeer();
            if (impossible != null) {
                counters.addCounter(StreamCounter.CORRUPTION_DETECTED, 1);
                throw new StreamCorruptionException(cursor, "stream '" + name + "': " + impossible);
            }
            if (isProducerGone()) {
                packet = poll(); // what it published before going is still ours
                if (packet != null) {
                    return packet;
                }
                reportTrailingRefusals();
                throw new StreamPeerGoneException(StreamRole.PRODUCER, peer.peer(), "stream '" + name + "': "
                        + peer.peerGoneReason() + "; every packet it published was delivered or accounted for");
            }
            peer.heartbeat(now);
            resynchronise(cursor);
            int observed = dataSignal.prepare();
            packet = poll();
            if (packet != null) {
                dataSignal.done();
                return packet;
            }
            counters.addCounter(StreamCounter.FUTEX_WAITS_CONSUMER, 1);
            dataSignal.await(observed, Math.min(remaining, WAIT_SLICE_NS));
            dataSignal.done();
        }
    }

    /**
     * Waits until the producer has published past position {@code knownPosition} (positions count as in
     * {@link #position()}), at most {@code timeoutNs}, and returns how many positions it has published so far
     * (unchanged on timeout). It takes nothing and touches none of the consumer's own state, so unlike every
     * other method it may be called from a thread other than the consumer's, concurrently with
     * {@link #poll()}: a watcher that turns "data arrived" into an event for whoever polls (rtu-scheduler's
     * stream trigger). It sleeps on the {@code data_available} futex with the waiter flag raised, as
     * {@link #take(long)} does; there is one flag per direction, so while a watcher waits, the consumer's
     * thread must poll, not sleep in {@code take}.
     */
    public long awaitPublished(long knownPosition, long timeoutNs) {
        // pairs with the setRelease of producer_position in StreamProducer.publish
        long published = (long) LONG.getAcquire(header, (long) PRODUCER_POSITION_OFFSET);
        if (published > knownPosition || timeoutNs <= 0) {
            return published;
        }
        int observed = dataSignal.prepare();
        published = (long) LONG.getAcquire(header, (long) PRODUCER_POSITION_OFFSET);
        if (published <= knownPosition) {
            dataSignal.await(observed, timeoutNs);
            published = (long) LONG.getAcquire(header, (long) PRODUCER_POSITION_OFFSET);
        }
        dataSignal.done();
        return published;
    }

    /**
     * For an event loop that sleeps on the {@code data_available} futex itself (io_uring's FUTEX_WAIT) rather
     * than in {@link #take}: raises the waiter flag with a full fence and returns the word's value to wait on.
     * Then re-check with {@link #poll()}; sleep on {@link #dataFutexWord()} (shared, not private) only if it
     * found nothing, and call {@link #endDataWait()} once that wait completed or the re-check found a packet.
     * While the flag is up, each commit costs the producer a FUTEX_WAKE.
     */
    public int prepareDataWait() {
        return dataSignal.prepare();
    }

    /** The {@code data_available} futex word: 4 bytes of the shared header (see {@link #prepareDataWait()}). */
    public MemorySegment dataFutexWord() {
        return dataSignal.word();
    }

    /** Lowers the waiter flag raised by {@link #prepareDataWait()}. */
    public void endDataWait() {
        dataSignal.done();
    }

    /**
     * Packets DROP_NEWEST refused after the last published one are normally reported with the next packet;
     * when the producer is gone there is none, so they are reported from its counter.
     */
    private void reportTrailingRefusals() {
        long trailing = counters.opaqueCounter(StreamCounter.DROPPED_OVERFLOW_NEWEST) - attributed[DropRecord.NEWEST];
        if (trailing > 0) {
            attributed[DropRecord.NEWEST] += trailing;
            lose(LossReason.OVERFLOW, trailing);
            storeAttributed();
        }
    }

    boolean release(Packet packet, long p, long base, int length) {
        revocations.poll(cursor); // a fault our read of this packet raised is attributed before the state decides
        revocations.released();
        if (slots.casState(base, state(p, STATE_TAKEN), state(p, STATE_RELEASED))) {
            counters.addCounter(StreamCounter.CONSUMED, 1);
            counters.addCounter(StreamCounter.BYTES_CONSUMED, length);
            if (spaceSignal.signal()) {
                counters.addCounter(StreamCounter.FUTEX_WAKES_PRODUCER, 1);
            }
            return true;
        }
        lose(LossReason.REVOKED, 1);
        counters.addCounter(StreamCounter.REVOKED_SEEN, 1);
        revocations.revokedAtRelease(packet);
        return false;
    }

    /**
     * Calls {@code listener} once for each held packet the producer takes back, as soon as this consumer
     * learns of it: by page fault (the next {@code poll}/{@code take}/{@code release} after the fault) or, without
     * one, when the packet is released. Null removes it.
     */
    public void onRevocation(RevocationListener listener) {
        revocations.listener(listener);
    }

    /** How this consumer learns of revocations (userfaultfd mode, or OFF: generation checks alone). */
    public FaultWatch.Mode faultWatchMode() {
        return revocations.watch().mode();
    }

    /** What the fault watch does, or why it is off. */
    public String faultWatchCause() {
        return revocations.watch().cause();
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

    /** A snapshot of the stream's counters and cursors. */
    public StreamStats stats() {
        return StreamStats.read(mapping);
    }

    /** Detaches (a blocked producer then learns the consumer is gone) and unmaps. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        lock.detach();
        peer.detach();
        spaceSignal.signal();
        try {
            revocations.close(); // before the unmap: a registered range must not outlive its resolver
        } finally {
            mapping.close();
        }
    }

    @Override
    public String toString() {
        return "StreamConsumer[" + name + " at " + cursor + "]";
    }
}
