package io.dsipanama.netio.stream;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetSocketAddress;
import java.nio.ByteOrder;

import io.dsipanama.netio.FrameHeader;
import io.dsipanama.netio.FrameHeaderDescriptor;
import io.dsipanama.netio.LandingZone;
import io.dsipanama.netio.LossReason;
import io.dsipanama.netio.RingOwner;
import io.dsipanama.netio.UdpReceiver;
import io.dsipanama.stream.Claim;
import io.dsipanama.stream.StreamPeerGoneException;
import io.dsipanama.stream.StreamProducer;

/**
 * Receives a stream sent by a {@link StreamSender} and produces it into a local DSI stream: each frame is
 * claimed in the stream, its (reassembled) payload copied into the claim and committed with the frame's
 * virtual time. Every position the sender's sequence skips (loss upstream, frames the network lost, frames
 * lost in reassembly) becomes one {@link StreamProducer#markMissing} marker before the next packet, so the
 * receiving consumer sees it as {@code io.dsipanama.stream.LossReason.MISSING} at the right place and its loss
 * accounting stays exact. A frame that cannot be stored (larger than the stream's max packet, virtual time
 * going back, no room within {@code blockTimeoutNs} under BLOCK) is marked missing too and counted.
 *
 * <p>Threading: the ring owner's thread only (the frame and loss callbacks run there).
 */
public final class StreamReceiver implements AutoCloseable {
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    /** A jump larger than this is a new sender (a restart), not a loss. */
    public static final long MAX_GAP = 1 << 16;

    private final StreamProducer producer;
    private final UdpReceiver receiver;
    private final ClaimZone zone;
    private long landedInPlace;
    private final long blockTimeoutNs;
    private final long[] networkLost = new long[LossReason.values().length + 1];
    private final long[] upstreamLost = new long[StreamFrameDescriptor.END_REASONS];
    private int streamId = -1;
    private long expected;
    private long lastVirtualTime = Long.MIN_VALUE;
    private long packets;
    private long bytes;
    private long markedMissing;
    private long notStored;
    private long foreignFrames;
    private long restarts;
    private long senderPackets = -1;
    private boolean ended;

    /** Receives on {@code bindAddress} into {@code producer}'s stream (multishot receive, one copy per payload). */
    public StreamReceiver(RingOwner owner, InetSocketAddress bindAddress, StreamProducer producer, long blockTimeoutNs) {
        this(owner, bindAddress, producer, blockTimeoutNs, false);
    }

    /**
     * With {@code landInClaims} (streams of policy BLOCK or DROP_OLDEST; DROP_NEWEST would count every attempt
     * to claim ahead as a refusal, so it always copies), one receive at a time is posted with its payload iovec
     * pointing at an open claim of the stream: a frame that fits one datagram is committed where the kernel
     * wrote it, without any copy (header/data split: the header goes to the receiver's control memory).
     * Fragments still go through reassembly memory and one copy. The room for the next datagram is claimed
     * before it arrives, so under DROP_OLDEST a full stream drops its oldest packet one arrival early; under
     * BLOCK a full stream leaves datagrams in the socket buffer (the ring thread never blocks).
     */
    public StreamReceiver(RingOwner owner, InetSocketAddress bindAddress, StreamProducer producer, long blockTimeoutNs,
                          boolean landInClaims) {
        this.producer = producer;
        this.blockTimeoutNs = blockTimeoutNs;
        boolean land = landInClaims && producer.spec().policy() != io.dsipanama.stream.OverflowPolicy.DROP_NEWEST;
        this.zone = land ? new ClaimZone(Math.min(owner.context().datagramBytes() - FrameHeaderDescriptor.LENGTH,
                producer.spec().maxPacketBytes())) : null;
        this.receiver = (land ? UdpReceiver.landing(owner, bindAddress, zone) : UdpReceiver.throughput(owner, bindAddress))
                .handlerForAll(this::onFrame).lossListener(this::onLost);
    }

    /** One open claim of the stream, where the one posted receive lands. */
    private final class ClaimZone implements LandingZone {
        private final int capacity;
        private Claim open;
        private MemorySegment data;

        ClaimZone(int capacity) {
            this.capacity = capacity;
        }

        @Override
        public int slots() {
            return 1;
        }

        @Override
        public int capacity() {
            return capacity;
        }

        @Override
        public long acquire(int slot) {
            if (open == null) {
                open = producer.tryClaim(capacity);
                if (open == null) {
                    return -1;
                }
                data = open.buffer();
            }
            return open.offset();
        }

        @Override
        public MemorySegment segment() {
            return data;
        }

        /** True if {@code buffer}/{@code offset} is where the open claim is (the frame landed in place). */
        boolean holds(MemorySegment buffer, long offset) {
            return open != null && buffer == data && offset == open.offset();
        }

        /** Gives the open claim back (nothing is in flight into it while a frame is handled). */
        void abort() {
            if (open != null) {
                open.abort();
                open = null;
            }
        }
    }

    private void onFrame(FrameHeader h, MemorySegment buffer, long offset, int length) {
        if (streamId == -1) {
            streamId = h.streamId();
        } else if (h.streamId() != streamId) {
            foreignFrames++;
            return;
        }
        long sequence = h.sequence();
        long vt = Math.max(h.virtualTime(), lastVirtualTime);
        if (sequence < expected) {
            return; // stale: already marked missing (the reassembler drops these, this is a second guard)
        }
        boolean end = (h.flags() & StreamFrameDescriptor.FLAG_END) != 0;
        boolean storable = !end && h.virtualTime() >= lastVirtualTime && length <= producer.spec().maxPacketBytes();
        boolean gap = sequence != expected && sequence - expected <= MAX_GAP;
        if (zone != null && zone.holds(buffer, offset) && storable && !gap) {
            zone.open.commit(vt, length); // landed in the claim: no copy
            zone.open = null;
            expected = sequence + 1;
            lastVirtualTime = vt;
            packets++;
            bytes += length;
            landedInPlace++;
            return;
        }
        // any other publication needs the claim closed: the bytes stay where they are (the aborted region is
        // not written again before the claim below, which may well be the same region)
        boolean wasInPlace = zone != null && zone.holds(buffer, offset);
        if (zone != null) {
            zone.abort();
        }
        if (sequence - expected > MAX_GAP) {
            restarts++;
        } else {
            for (long s = expected; s < sequence; s++) {
                missing(vt);
            }
        }
        expected = sequence + 1;
        if (end) {
            expected = sequence; // the end frame takes no position
            if (length >= StreamFrameDescriptor.END_LENGTH) {
                senderPackets = buffer.get(U64, offset + StreamFrameDescriptor.END_PACKETS_OFFSET);
                for (int i = 0; i < upstreamLost.length; i++) {
                    upstreamLost[i] = buffer.get(U64, offset + StreamFrameDescriptor.END_LOST_OFFSET + 8L * i);
                }
            }
            ended = true;
            return;
        }
        if (!storable) {
            notStored++;
            missing(vt);
            return;
        }
        Claim c;
        try {
            c = producer.claim(length, blockTimeoutNs);
        } catch (StreamPeerGoneException consumerLeft) {
            c = null; // the local consumer closed while the stream was full: nobody will read it
        }
        if (c == null) {
            notStored++; // DROP_NEWEST counted the refusal itself; under BLOCK the consumer sees a gap
            return;
        }
        if (wasInPlace && c.offset() == offset) {
            landedInPlace++; // the claim after the markers is the region it landed in
        } else {
            MemorySegment.copy(buffer, offset, c.buffer(), c.offset(), length); // overlapping regions are fine
        }
        c.commit(vt);
        lastVirtualTime = vt;
        packets++;
        bytes += length;
    }

    private void missing(long vt) {
        long start = System.nanoTime();
        while (!producer.markMissing(vt)) {
            if (producer.spec().policy() != io.dsipanama.stream.OverflowPolicy.BLOCK
                    || System.nanoTime() - start > blockTimeoutNs) {
                notStored++;
                return;
            }
            Thread.onSpinWait();
        }
        lastVirtualTime = Math.max(lastVirtualTime, vt);
        markedMissing++;
    }

    private void onLost(int stream, long firstSequence, long count, LossReason reason) {
        networkLost[reason.id()] += count;
    }

    public UdpReceiver udpReceiver() {
        return receiver;
    }

    public InetSocketAddress localAddress() {
        return receiver.localAddress();
    }

    /**
     * True when a landing receiver has no receive posted because the stream had no room for its claim: nothing
     * on the ring will wake it when room comes (a freed slot signals no futex it waits on), so its owner polls.
     */
    public boolean waitingForRoom() {
        return zone != null && zone.open == null;
    }

    /** True once the sender's end frame arrived (every position before it is resolved). */
    public boolean ended() {
        return ended;
    }

    public long packets() {
        return packets;
    }

    public long bytes() {
        return bytes;
    }

    /** Positions marked missing in the local stream (upstream and network losses, frames not stored). */
    public long markedMissing() {
        return markedMissing;
    }

    /** Frames that arrived but could not be stored (see the class comment). */
    public long notStored() {
        return notStored;
    }

    /** Frames of another stream id than the first one seen (dropped). */
    public long foreignFrames() {
        return foreignFrames;
    }

    /** Sequence jumps larger than {@link #MAX_GAP}, taken as a sender restart. */
    public long restarts() {
        return restarts;
    }

    /** Frames netio reported lost, by reason (sequence gaps include the upstream ones). */
    public long networkReported(LossReason reason) {
        return networkLost[reason.id()];
    }

    /** Packets the sender sent, from its end frame (-1 before it). */
    public long senderPackets() {
        return senderPackets;
    }

    /** Losses the sending consumer reported by DSI reason, from the end frame (0 before it). */
    public long upstreamLost(io.dsipanama.stream.LossReason reason) {
        return upstreamLost[reason.ordinal()];
    }

    /** Frames committed where they landed, without a copy (landing mode only). */
    public long landedInPlace() {
        return landedInPlace;
    }

    /** True when receives land in stream claims. */
    public boolean landsInClaims() {
        return zone != null;
    }

    @Override
    public void close() {
        receiver.close();
        if (zone != null) {
            zone.abort();
        }
    }
}
