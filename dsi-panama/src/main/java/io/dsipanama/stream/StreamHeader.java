package io.dsipanama.stream;

import io.dsipanama.ffm.support.ProcessIdentity;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;

import static io.dsipanama.stream.StreamHeaderDescriptor.*;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Flyweight over a mapped stream header ({@link StreamHeaderDescriptor}). Accessor names carry their access
 * mode (see {@link io.dsipanama.stream}); unprefixed accessors are plain.
 *
 * <p><b>Threading.</b> Identity fields are plain: written by the creator before {@link #releaseVersion}
 * and read by others only after {@link #acquireVersion} returned non-zero, so any thread of any process
 * may read them then. Peer blocks are written by their owner only (the producer or the consumer), the pid
 * last with release; any thread may read them. Counters have one writer each ({@link StreamCounter#writer()}).
 * Values read from a header are untrusted until {@link StreamDirectory} has validated them against the
 * file; a {@link StreamMapping} keeps its own validated copy of the offsets.
 */
public final class StreamHeader {
    private static final VarHandle INT = JAVA_INT.varHandle();
    private static final VarHandle LONG = JAVA_LONG.varHandle();

    private final MemorySegment segment;

    /** Wraps {@code segment}, which must be at least {@link StreamHeaderDescriptor#LENGTH} bytes. */
    public StreamHeader(MemorySegment segment) {
        if (segment.byteSize() < LENGTH) {
            throw new IllegalArgumentException("header segment of " + segment.byteSize() + " bytes, need " + LENGTH);
        }
        this.segment = segment;
    }

    public MemorySegment segment() {
        return segment;
    }

    /** Pairs with {@link #releaseVersion}: once non-zero, every identity field is visible. */
    public int acquireVersion() {
        return (int) INT.getAcquire(segment, (long) VERSION_OFFSET);
    }

    /** Publishes the identity written before it; pairs with {@link #acquireVersion} in openers. */
    public void releaseVersion(int version) {
        INT.setRelease(segment, (long) VERSION_OFFSET, version);
    }

    public long magic() {
        return segment.get(JAVA_LONG, MAGIC_OFFSET);
    }

    public int headerLength() {
        return segment.get(JAVA_INT, HEADER_LENGTH_OFFSET);
    }

    public long controlOffset() {
        return segment.get(JAVA_LONG, CONTROL_OFFSET_OFFSET);
    }

    public long controlLength() {
        return segment.get(JAVA_LONG, CONTROL_LENGTH_OFFSET);
    }

    public long dataOffset() {
        return segment.get(JAVA_LONG, DATA_OFFSET_OFFSET);
    }

    public long dataLength() {
        return segment.get(JAVA_LONG, DATA_LENGTH_OFFSET);
    }

    public int descriptorCount() {
        return segment.get(JAVA_INT, DESCRIPTOR_COUNT_OFFSET);
    }

    public int descriptorLength() {
        return segment.get(JAVA_INT, DESCRIPTOR_LENGTH_OFFSET);
    }

    public int maxPacket() {
        return segment.get(JAVA_INT, MAX_PACKET_OFFSET);
    }

    public int policyOrdinal() {
        return segment.get(JAVA_INT, POLICY_OFFSET);
    }

    public int modeOrdinal() {
        return segment.get(JAVA_INT, MODE_OFFSET);
    }

    public int flags() {
        return segment.get(JAVA_INT, FLAGS_OFFSET);
    }

    public long validityTicks() {
        return segment.get(JAVA_LONG, VALIDITY_TICKS_OFFSET);
    }

    public long epochNs() {
        return segment.get(JAVA_LONG, EPOCH_NS_OFFSET);
    }

    public long nsPerTick() {
        return segment.get(JAVA_LONG, NS_PER_TICK_OFFSET);
    }

    public int countersOffset() {
        return segment.get(JAVA_INT, COUNTERS_OFFSET_OFFSET);
    }

    public int countersLength() {
        return segment.get(JAVA_INT, COUNTERS_LENGTH_OFFSET);
    }

    public ProcessIdentity creator() {
        return new ProcessIdentity(segment.get(JAVA_INT, CREATOR_PID_OFFSET),
                segment.get(JAVA_LONG, CREATOR_START_TIME_OFFSET));
    }

    /**
     * Writes every identity field except {@code version} (plain: the creator publishes them afterwards with
     * {@link #releaseVersion}). {@code spec} must have its epoch fixed.
     */
    void writeIdentity(StreamSpec spec, long controlLength, ProcessIdentity creator) {
        segment.set(JAVA_LONG, MAGIC_OFFSET, MAGIC);
        segment.set(JAVA_INT, HEADER_LENGTH_OFFSET, LENGTH);
        segment.set(JAVA_LONG, CONTROL_OFFSET_OFFSET, LENGTH);
        segment.set(JAVA_LONG, CONTROL_LENGTH_OFFSET, controlLength);
        segment.set(JAVA_LONG, DATA_OFFSET_OFFSET, LENGTH + controlLength);
        segment.set(JAVA_LONG, DATA_LENGTH_OFFSET, spec.dataBytes());
        segment.set(JAVA_INT, DESCRIPTOR_COUNT_OFFSET, spec.descriptorCount());
        segment.set(JAVA_INT, DESCRIPTOR_LENGTH_OFFSET, PacketDescriptorDescriptor.LENGTH);
        segment.set(JAVA_INT, MAX_PACKET_OFFSET, spec.maxPacketBytes());
        segment.set(JAVA_INT, POLICY_OFFSET, spec.policy().ordinal());
        segment.set(JAVA_INT, MODE_OFFSET, spec.mode().ordinal());
        segment.set(JAVA_INT, FLAGS_OFFSET, spec.lockInMemory() ? FLAG_LOCK_IN_MEMORY : 0);
        segment.set(JAVA_LONG, VALIDITY_TICKS_OFFSET, spec.validityTicks());
        segment.set(JAVA_LONG, EPOCH_NS_OFFSET, spec.epochNs());
        segment.set(JAVA_LONG, NS_PER_TICK_OFFSET, spec.nsPerTick());
        segment.set(JAVA_INT, CREATOR_PID_OFFSET, creator.pid());
        segment.set(JAVA_LONG, CREATOR_START_TIME_OFFSET, creator.startTime());
        segment.set(JAVA_INT, COUNTERS_OFFSET_OFFSET, COUNTERS_OFFSET);
        segment.set(JAVA_INT, COUNTERS_LENGTH_OFFSET, COUNTERS_LENGTH);
        segment.set(JAVA_LONG, SPOOL_TARGET_OFFSET, Long.MIN_VALUE); // "no spool forward asked"
    }

    /** The producer peer; the pid is loaded with acquire (pairs with {@link #releaseProducer}). */
    public ProcessIdentity acquireProducer() {
        return acquirePeer(PRODUCER_PEER_OFFSET);
    }

    public ProcessIdentity acquireConsumer() {
        return acquirePeer(CONSUMER_PEER_OFFSET);
    }

    /** Records the producer: start time plain, then pid release (pairs with {@link #acquireProducer}). */
    public void releaseProducer(ProcessIdentity producer) {
        releasePeer(PRODUCER_PEER_OFFSET, producer);
    }

    public void releaseConsumer(ProcessIdentity consumer) {
        releasePeer(CONSUMER_PEER_OFFSET, consumer);
    }

    public long opaqueProducerLiveness() {
        return (long) LONG.getOpaque(segment, (long) PRODUCER_LIVENESS_OFFSET);
    }

    public void opaqueProducerLiveness(long monotonicNs) {
        LONG.setOpaque(segment, (long) PRODUCER_LIVENESS_OFFSET, monotonicNs);
    }

    public long opaqueConsumerLiveness() {
        return (long) LONG.getOpaque(segment, (long) CONSUMER_LIVENESS_OFFSET);
    }

    public void opaqueConsumerLiveness(long monotonicNs) {
        LONG.setOpaque(segment, (long) CONSUMER_LIVENESS_OFFSET, monotonicNs);
    }

    private ProcessIdentity acquirePeer(int block) {
        int pid = (int) INT.getAcquire(segment, (long) block + PEER_PID);
        return new ProcessIdentity(pid, segment.get(JAVA_LONG, block + PEER_START_TIME));
    }

    private void releasePeer(int block, ProcessIdentity peer) {
        segment.set(JAVA_LONG, block + PEER_START_TIME, peer.startTime());
        // pairs with the getAcquire in acquirePeer: a reader that sees the pid sees its start time
        INT.setRelease(segment, (long) block + PEER_PID, peer.pid());
    }

    public long opaqueCounter(StreamCounter counter) {
        return (long) LONG.getOpaque(segment, (long) COUNTERS_OFFSET + counter.offset());
    }

    /** Adds to a counter; only its {@link StreamCounter#writer()} may call this (single writer, no RMW). */
    public void addCounter(StreamCounter counter, long delta) {
        long offset = (long) COUNTERS_OFFSET + counter.offset();
        LONG.setOpaque(segment, offset, segment.get(JAVA_LONG, offset) + delta);
    }
}
