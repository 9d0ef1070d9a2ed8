package io.dsipanama.stream;

/**
 * What a stream end of a chained stream needs from the chain: the holder that makes its reference changes
 * and the stream's index in the area's stream table (named in a holder's pending fields). Package-private
 * glue between {@link StreamProducer}/{@link StreamConsumer}/{@link Slots} and {@link ChainHolder}.
 */
final class ChainLink {
    final ChainHolder holder;
    final ChainArea area;
    final int stream;

    ChainLink(ChainHolder holder, int stream) {
        this.holder = holder;
        this.area = holder.area();
        this.stream = stream;
    }

    /** A slot naming {@code dataOffset} went final (CAS won by this process): drop its reference. */
    void slotReleased(long dataOffset) {
        holder.releaseSlot(dataOffset);
    }

    /** True if {@code packet} is a packet of a stream of the same area (so it can be forwarded by reference). */
    boolean sameArea(Packet packet) {
        ChainLink other = packet.chain();
        return other != null && other.area == area;
    }
}
