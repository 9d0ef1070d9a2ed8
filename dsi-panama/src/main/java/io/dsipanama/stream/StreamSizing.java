package io.dsipanama.stream;

import io.dsipanama.ffm.Unistd;

/**
 * Ring and data-area sizes for a jitter-constrained periodic stream (DSI §2.1 after Hamann: packets of
 * bounded size, one per period {@code T}, each arriving up to {@code J} after its nominal time).
 *
 * <h2>How many packets can be in flight</h2>
 * DSI reserves all buffer memory at creation (§4.2), so the ring must hold every packet that can be
 * produced but not yet consumed. The consumer takes a packet at most {@code L} (its latency: scheduling
 * delay plus processing) after the packet was committed. Jitter lets the producer run early or late by up
 * to {@code J}, so packets nominally spaced {@code T} apart can bunch: within any window of length
 * {@code L + J} at most {@code ceil((L + J) / T) + 1} packets are committed (the +1 is the packet at the
 * window's left edge; for {@code J = L = 0} one packet is in flight, the one just committed). Those are the
 * committed-but-unconsumed packets ({@link #inFlight()}).
 *
 * <h2>Slack</h2>
 * Two more slots: the slot the producer is writing into (it is neither committed nor free) and the slot
 * the consumer is reading from (it stays owned until the consumer releases it). With
 * {@code inFlight + 2} descriptors a producer that keeps to its period and jitter never finds the ring
 * full, so {@link OverflowPolicy} only matters when the contract is broken.
 *
 * <h2>Why a power of two</h2>
 * Positions are 64-bit counters that never wrap in practice; the slot of position {@code p} is
 * {@code p & (count - 1)}, one AND instead of a division on both hot paths, and the mapping stays
 * consistent when the counter passes any multiple of the ring size. Rounding up also adds free slack.
 *
 * <h2>Data area</h2>
 * Every descriptor may carry a packet of {@code maxPacketBytes}; giving each descriptor that much data
 * space means a full ring can never run out of data bytes first, so overflow is decided by descriptors
 * alone. The producer lays packets out as a byte ring, each rounded up to {@link StreamProducer#ALIGNMENT},
 * and a packet that does not fit before the end of the area starts again at 0, leaving a gap of less than
 * one packet: so the area holds {@code count + 1} aligned maximum packets. The total is rounded up to pages
 * because the data area is mapped, protected and reclaimed in pages (§4.3).
 *
 * @param descriptorCount ring size, a power of two
 * @param dataBytes       data-area bytes, a page multiple
 * @param maxPacketBytes  as given
 * @param inFlight        committed-but-unconsumed packets in the worst case, before slack and rounding
 */
public record StreamSizing(int descriptorCount, long dataBytes, int maxPacketBytes, long inFlight) {
    /** Slots that are neither free nor counted in flight: the one being written, the one being read. */
    public static final int SLACK = 2;

    /**
     * Sizes a stream for one packet of at most {@code maxPacketBytes} every {@code periodNs}, arrival jitter
     * up to {@code jitterNs}, and a consumer that releases each packet within {@code consumerLatencyNs}.
     */
    public static StreamSizing forPeriodicStream(long periodNs, long jitterNs, int maxPacketBytes,
                                                 long consumerLatencyNs) {
        if (periodNs <= 0) {
            throw new IllegalArgumentException("periodNs " + periodNs + " must be positive");
        }
        if (jitterNs < 0 || consumerLatencyNs < 0) {
            throw new IllegalArgumentException("jitterNs " + jitterNs + " and consumerLatencyNs "
                    + consumerLatencyNs + " must not be negative");
        }
        if (maxPacketBytes <= 0) {
            throw new IllegalArgumentException("maxPacketBytes " + maxPacketBytes + " must be positive");
        }
        long window = Math.addExact(jitterNs, consumerLatencyNs);
        long inFlight = ceilDiv(window, periodNs) + 1;
        long needed = inFlight + SLACK;
        if (needed > StreamSpec.MAX_DESCRIPTORS) {
            throw new IllegalArgumentException("period " + periodNs + " ns with jitter " + jitterNs
                    + " ns and consumer latency " + consumerLatencyNs + " ns needs " + needed
                    + " descriptors, more than " + StreamSpec.MAX_DESCRIPTORS);
        }
        int count = nextPowerOfTwo((int) needed);
        long data = dataBytesFor(count, maxPacketBytes);
        if (data > StreamSpec.MAX_DATA_BYTES) {
            throw new IllegalArgumentException(count + " descriptors of " + maxPacketBytes + " bytes need " + data
                    + " data bytes, more than " + StreamSpec.MAX_DATA_BYTES);
        }
        return new StreamSizing(count, data, maxPacketBytes, inFlight);
    }

    /**
     * Data-area bytes for a ring of {@code descriptorCount} packets of up to {@code maxPacketBytes}: room for
     * every descriptor full, plus one packet for the wrap gap (see "Data area" above), in whole pages.
     */
    public static long dataBytesFor(int descriptorCount, int maxPacketBytes) {
        return StreamHeaderDescriptor.roundUp(Math.multiplyExact((long) descriptorCount + 1,
                StreamHeaderDescriptor.roundUp(maxPacketBytes, StreamProducer.ALIGNMENT)), Unistd.pageSize());
    }

    static long ceilDiv(long a, long b) {
        return -Math.floorDiv(-a, b);
    }

    static int nextPowerOfTwo(int n) {
        return n <= 2 ? 2 : Integer.highestOneBit(n - 1) << 1;
    }
}
