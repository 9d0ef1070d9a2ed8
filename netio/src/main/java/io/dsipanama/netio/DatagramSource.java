package io.dsipanama.netio;

import java.lang.foreign.MemorySegment;

/**
 * Where a {@link UdpReceiver}'s datagrams come from: a set of receive slots the kernel fills. Each received
 * datagram is announced once as a slot id, stays untouched by the kernel until {@link #release} (which
 * gives it back at once: buffers are refilled eagerly), and is read through the accessors below, which
 * allocate nothing. Two implementations: {@link MultishotSource} (throughput) and {@link PostedSource}
 * (zero-copy landing, and the fallback when multishot or buffer rings are unavailable).
 */
interface DatagramSource extends AutoCloseable {
    /** Called once per received datagram (slot) from {@link #onCompletion}. */
    @FunctionalInterface
    interface Sink {
        void onDatagram(int slot);
    }

    /** Submits receives where needed; returns how many SQEs it filled. */
    int arm();

    void onCompletion(long data, int res, int flags);

    /** The datagram's length, wire header included, or -1 when it did not fit its slot (MSG_TRUNC). */
    int datagramLength(int slot);

    MemorySegment headerSegment();

    long headerOffset(int slot);

    MemorySegment payloadSegment();

    long payloadOffset(int slot);

    /** The sender's address ({@code sockaddr_in} or {@code sockaddr_in6}). */
    MemorySegment nameSegment();

    long nameOffset(int slot);

    void release(int slot);

    int slots();

    /** Slots not held by the receiver (posted, or in the kernel's ring). */
    int freeSlots();

    int inFlight();

    /** Frees the memory; called after the receiver's requests were cancelled and reaped. */
    @Override
    void close();
}
