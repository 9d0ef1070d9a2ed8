package io.dsipanama.netio.stream;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetSocketAddress;
import java.nio.ByteOrder;

import io.dsipanama.netio.OutgoingFrame;
import io.dsipanama.netio.RingOwner;
import io.dsipanama.netio.UdpSender;
import io.dsipanama.stream.LossReason;
import io.dsipanama.stream.Packet;
import io.dsipanama.stream.StreamConsumer;
import io.dsipanama.stream.StreamMode;
import io.dsipanama.stream.StreamPeerGoneException;

/**
 * Sends a local DSI stream to a {@link StreamReceiver}: each packet the {@link StreamConsumer} takes goes out
 * as one netio frame (fragmented when larger than a datagram) straight from the stream's shared data area:
 * the packet stays held (not released) until the {@link UdpSender} reports its memory free, so the bytes
 * are never copied in Java. Loss the consumer reports ({@link Packet#lostBefore}) becomes a sequence gap
 * ({@link StreamFrameDescriptor}); when the stream's producer is gone and everything is sent, an end frame
 * carries the totals. Up to {@code sendQueueFrames} packets are in flight at once.
 *
 * <p>Waking: {@link #doWork} only polls. Before its ring sleeps, the owner calls {@link #armDataWait}: where
 * the ring has IORING_OP_FUTEX_WAIT ({@link io.dsipanama.netio.NetFeatures#futexWait()}), that arms a wait on
 * the stream's data futex ({@link StreamDataWait}), so the producer's next commit wakes the ring at once;
 * otherwise {@link #needsPoll()} tells the owner to come back on a timer.
 *
 * <p>Threading: the ring owner's thread only; {@link #doWork} is called from its cycle.
 */
public final class StreamSender implements AutoCloseable {
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final long US = 1_000L;
    private static final LossReason[] REASONS = LossReason.values();

    private final StreamConsumer consumer;
    private final UdpSender sender;
    private final OutgoingFrame frame = new OutgoingFrame();
    private final boolean realTime;
    private final Packet[] held;
    private final int mask;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment endRecord;
    private final StreamDataWait dataWait;
    private long offered;
    private long released;
    private long sequence;
    private long lastVirtualTime;
    private long packets;
    private long bytes;
    private long sendErrors;
    private boolean drained;
    private boolean endOffered;
    private boolean endReleased;

    /** Sends {@code consumer}'s packets to {@code destination} as stream {@code streamId} in class {@code priority}. */
    public StreamSender(RingOwner owner, StreamConsumer consumer, InetSocketAddress destination, int streamId,
                        int priority) {
        this.consumer = consumer;
        this.realTime = consumer.spec().mode() == StreamMode.REAL_TIME;
        int queue = Integer.highestOneBit(Math.max(1, owner.context().sendQueueFrames() - 1)) << 1;
        this.held = new Packet[queue];
        this.mask = queue - 1;
        this.endRecord = arena.allocate(StreamFrameDescriptor.END_LENGTH, 64);
        frame.streamId(streamId).priority(priority).periodUs(0);
        this.sender = new UdpSender(owner, destination, this::onReleased);
        this.dataWait = owner.features().futexWait() ? new StreamDataWait(owner, consumer) : null;
    }

    /**
     * Before the ring sleeps: if this sender waits for packets (not for its send completions), raises the
     * stream's waiter flag, re-checks the stream and, if still nothing came, arms a FUTEX_WAIT on the data word.
     * Returns the work the re-check found (then the owner must not sleep). Without FUTEX_WAIT it does nothing.
     */
    public int armDataWait(long nowNs) {
        if (dataWait == null || dataWait.armed() || !hungry()) {
            return 0;
        }
        int observed = consumer.prepareDataWait();
        int work = doWork(nowNs);
        if (work > 0 || !hungry()) {
            consumer.endDataWait();
            return work;
        }
        dataWait.arm(observed);
        return 0;
    }

    /** True when this sender waits for packets and nothing will wake the ring for them: poll on a timer. */
    public boolean needsPoll() {
        return hungry() && (dataWait == null || !dataWait.armed());
    }

    /** Whether the ring sleeps on the stream's data futex (false: the FUTEX_WAIT fallback, polling). */
    public boolean wakesOnData() {
        return dataWait != null;
    }

    /** Times a commit woke the ring through the stream's data futex. */
    public long dataWakes() {
        return dataWait == null ? 0 : dataWait.wakes();
    }

    /** Waiting for the stream (not drained, room in the send queue); a full queue waits for send completions. */
    private boolean hungry() {
        return !drained && offered - released < held.length;
    }

    /**
     * Takes every packet ready now and offers it (as long as the send queue has room). Returns the packets
     * offered; after the producer is gone and the stream drained, offers the end frame once.
     */
    public int doWork(long nowNs) {
        int work = 0;
        while (!drained && offered - released < held.length) {
            Packet p;
            try {
                p = consumer.poll();
                if (p == null && consumer.isProducerGone()) {
                    p = consumer.take(1_000_000L); // drains what is left, then throws
                }
            } catch (StreamPeerGoneException gone) {
                drained = true;
                break;
            }
            if (p == null) {
                break;
            }
            long lost = p.lostBefore();
            sequence += lost;
            long remainingUs = realTime ? (p.expiryNs() - nowNs) / US : 0;
            int deadlineUs = remainingUs <= 0 || remainingUs > Integer.MAX_VALUE ? (realTime && remainingUs <= 0 ? 1 : 0)
                    : (int) remainingUs;
            frame.sequence(sequence).virtualTime(p.virtualTime()).deadlineUs(deadlineUs)
                    .flags(lost > 0 ? StreamFrameDescriptor.FLAG_UPSTREAM_LOSS : 0);
            if (!sender.offer(frame, p.buffer(), p.offset(), p.length(), offered)) {
                // cannot happen: held has the sender queue's size and offered - released < its length
                throw new IllegalStateException("send queue refused a frame below its capacity");
            }
            held[(int) (offered & mask)] = p;
            offered++;
            sequence++;
            packets++;
            bytes += p.length();
            lastVirtualTime = p.virtualTime();
            work++;
        }
        if (drained && !endOffered && offered == released) {
            offerEnd();
            work++;
        }
        return work;
    }

    private void offerEnd() {
        long lostTotal = 0;
        for (LossReason r : REASONS) {
            long n = consumer.lost(r);
            endRecord.set(U64, StreamFrameDescriptor.END_LOST_OFFSET + 8L * r.ordinal(), n);
            lostTotal += n;
        }
        endRecord.set(U64, StreamFrameDescriptor.END_PACKETS_OFFSET, packets);
        endRecord.set(U64, StreamFrameDescriptor.END_BYTES_OFFSET, bytes);
        frame.sequence(packets + lostTotal).virtualTime(lastVirtualTime).deadlineUs(0)
                .flags(StreamFrameDescriptor.FLAG_END);
        if (sender.offer(frame, endRecord, -1)) {
            endOffered = true;
        }
    }

    private void onReleased(long token, int result) {
        if (result < 0) {
            sendErrors++;
        }
        if (token < 0) {
            endReleased = true;
            return;
        }
        int i = (int) (token & mask);
        Packet p = held[i];
        held[i] = null;
        p.release();
        released++;
    }

    /** True once the stream ended and its end frame left. */
    public boolean finished() {
        return endReleased;
    }

    public long packets() {
        return packets;
    }

    public long bytes() {
        return bytes;
    }

    /** Frames whose send returned an error (they are gone; the receiver sees a gap). */
    public long sendErrors() {
        return sendErrors;
    }

    /** Losses the local consumer reported, by reason. */
    public long lostUpstream(LossReason reason) {
        return consumer.lost(reason);
    }

    /** Packets offered and not yet released by the sender. */
    public long inFlight() {
        return offered - released;
    }

    public UdpSender udpSender() {
        return sender;
    }

    /** Closes the sender (its requests cancelled first); held packets are released. The consumer stays open. */
    @Override
    public void close() {
        if (dataWait != null) {
            dataWait.close();
        }
        sender.close();
        for (int i = 0; i < held.length; i++) {
            if (held[i] != null && held[i].isHeld()) {
                held[i].release();
            }
            held[i] = null;
        }
        arena.close();
    }
}
