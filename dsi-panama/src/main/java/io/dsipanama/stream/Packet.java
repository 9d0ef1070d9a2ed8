package io.dsipanama.stream;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;

import static io.dsipanama.stream.PacketDescriptorDescriptor.STATE_TAKEN;
import static io.dsipanama.stream.PacketDescriptorDescriptor.state;

/**
 * A packet the {@link StreamConsumer} took: its virtual time, expiry, length, the data in place (never a
 * copy), and what was lost just before it. The consumer keeps one instance per descriptor slot and
 * re-fills it, so a packet object is valid from {@code poll}/{@code take} until {@link #release()}; the
 * consumer may hold several at once and release them in any order.
 *
 * <p>The data is read-only (for the OS and for Java). The producer may take it back (DROP_OLDEST under
 * pressure, expiry, reclaim): read first, then ask {@link #isStillValid()}; a {@code true} answer means
 * every byte read before it was the producer's packet, not a later one.
 *
 * <p><b>Threading.</b> The consumer's thread only.
 */
public final class Packet {
    private final StreamConsumer consumer;
    private final Slots slots;
    private final MemorySegment data;
    private final long[] lostBefore = new long[LossReason.ALL.length];
    private long position;
    private long base;
    private long virtualTime;
    private long expiry;
    private long offset;
    private int length;
    private boolean held;
    private boolean revocationNotified;

    Packet(StreamConsumer consumer, Slots slots, MemorySegment data) {
        this.consumer = consumer;
        this.slots = slots;
        this.data = data;
    }

    Packet fill(long position, long base, long virtualTime, long expiry, long offset, int length, long[] pending) {
        this.position = position;
        this.base = base;
        this.virtualTime = virtualTime;
        this.expiry = expiry;
        this.offset = offset;
        this.length = length;
        System.arraycopy(pending, 0, lostBefore, 0, lostBefore.length);
        this.revocationNotified = false;
        this.held = true;
        return this;
    }

    /** The stream position (0, 1, 2, ... in publication order, counting lost ones). */
    public long position() {
        return position;
    }

    public long virtualTime() {
        return virtualTime;
    }

    /** First virtual time at which the packet is void. */
    public long expiry() {
        return expiry;
    }

    /** {@link #expiry()} as CLOCK_MONOTONIC nanoseconds (the stream's fixed mapping). */
    public long expiryNs() {
        return consumer.spec().toMonotonicNs(expiry);
    }

    public int length() {
        return length;
    }

    /** A read-only slice of exactly the packet's bytes in the shared data area (one small object per call). */
    public MemorySegment segment() {
        return data.asSlice(offset, length);
    }

    /** The whole data area, read-only; the packet is {@code [offset(), offset() + length())} (allocates nothing). */
    public MemorySegment buffer() {
        return data;
    }

    public long offset() {
        return offset;
    }

    /** Positions lost for {@code reason} between the previous delivered packet and this one. */
    public long lostBefore(LossReason reason) {
        return lostBefore[reason.ordinal()];
    }

    /** All positions lost between the previous delivered packet and this one. */
    public long lostBefore() {
        long sum = 0;
        for (long n : lostBefore) {
            sum += n;
        }
        return sum;
    }

    /**
     * True while the producer has not taken the packet back. Reads of the data made before this call are
     * ordered before it (load-load fence), so "read, then check" tells whether what was read is genuine.
     */
    public boolean isStillValid() {
        if (!held) {
            return false;
        }
        VarHandle.loadLoadFence();
        ChainLink chain = consumer.chain;
        // chained: a reclaim revokes the block first, then the slots naming it
        return slots.acquireState(base) == state(position, STATE_TAKEN) && (chain == null || chain.holder.isLive(offset));
    }

    ChainLink chain() {
        return consumer.chain;
    }

    /** True until {@link #release()}. */
    public boolean isHeld() {
        return held;
    }

    /**
     * Gives the packet back. Returns true if it was still valid; false if the producer had revoked it
     * (counted as {@link LossReason#REVOKED}, reported with the next packet).
     */
    public boolean release() {
        if (!held) {
            throw new IllegalStateException("packet at position " + position + " already released");
        }
        try {
            return consumer.release(this, position, base, length); // still held: a fault is matched to it first
        } finally {
            held = false;
        }
    }

    /** True once the consumer learnt (by page fault or at release) that the producer took this packet back. */
    boolean revocationNotified() {
        return revocationNotified;
    }

    void revocationNotified(boolean notified) {
        this.revocationNotified = notified;
    }

    @Override
    public String toString() {
        return "Packet[position=" + position + ", vt=" + virtualTime + ", length=" + length + ", offset=" + offset + "]";
    }
}
