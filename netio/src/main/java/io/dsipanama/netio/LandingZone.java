package io.dsipanama.netio;

import java.lang.foreign.MemorySegment;

/**
 * Where a landing {@link UdpReceiver}'s payloads go when the memory is decided per receive (e.g. a claim in a
 * stream's data area) rather than fixed slots of one region: before each receive is posted, {@link #acquire}
 * names the bytes the payload will land in; the datagram's header still goes to the receiver's own control
 * memory (header/data split). The region stays the caller's: the receiver only reads it in its handler.
 *
 * <p>Threading: the ring owner's thread.
 */
public interface LandingZone {
    /** Receives posted at once (each needs its own acquired region). */
    int slots();

    /** Payload bytes a receive may land (a larger datagram is dropped as oversize). */
    int capacity();

    /**
     * The offset in {@link #segment()} of {@link #capacity()} bytes for slot {@code slot}'s next receive, or -1
     * when there is no room now (the receive is posted at a later cycle; the socket buffer holds the data).
     */
    long acquire(int slot);

    /** The memory offsets refer to (valid once {@link #acquire} returned an offset). */
    MemorySegment segment();
}
