package io.dsipanama.stream;

/**
 * The consumer's side of revocation: turns the page faults its {@link FaultWatch} reports into revocations
 * of the packets it holds, and counts what the state check found without a fault. A fault is matched to the
 * held packet whose bytes share the faulting page; then the packet's state decides what the fault was:
 * <ul>
 * <li>state no longer TAKEN of its position: the producer took the packet back and punched its pages (or
 *     rewrote them after a punch) and we touched one: a <b>revocation seen by fault</b> (counted once per
 *     packet, listener called with its virtual time);</li>
 * <li>still TAKEN, or no held packet there: a page reclaimed earlier that the producer <b>legitimately
 *     reused</b> (our mapping lost it with the punch, so reading the new packet faults once): counted
 *     {@code reuse_faults}, nothing else happens.</li>
 * </ul>
 * The state was set by CAS before the punch, so a fault can never find a revoked packet still TAKEN; the
 * fault adds a notification, the state check stays the authority ({@link Packet#isStillValid()}).
 *
 * <p><b>Threading.</b> The consumer's thread only.
 */
final class RevocationWatcher implements FaultWatch.Owners, AutoCloseable {
    private final FaultWatch watch;
    private final Packet[] packets;
    private final StreamHeader counters;
    private final long pageSize;
    private RevocationListener listener;
    private long lostReported;
    private long cursor; // the consumer's cursor at the last poll
    private int held;    // packets taken and not yet released

    RevocationWatcher(FaultWatch watch, Packet[] packets, StreamHeader counters, long pageSize) {
        this.watch = watch;
        this.packets = packets;
        this.counters = counters;
        this.pageSize = pageSize;
    }

    FaultWatch watch() {
        return watch;
    }

    void listener(RevocationListener listener) {
        this.listener = listener;
    }

    /** Takes in the faults recorded since the last call (one load when there are none). */
    void poll(long cursor) {
        this.cursor = cursor;
        if (watch.drain(this) > 0) {
            long lost = watch.lost();
            if (lost != lostReported) {
                counters.addCounter(StreamCounter.FAULT_EVENTS_LOST, lost - lostReported);
                lostReported = lost;
            }
        }
    }

    /** The consumer took a packet (it is held from now on). */
    void taken() {
        held++;
    }

    /** The consumer released a packet. */
    void released() {
        held--;
    }

    /**
     * Matches one fault. Held packets sit in the slots of the positions just below the consumer's cursor, so
     * the scan walks back from it and stops once it has seen every held packet: a few slots, not the ring.
     */
    @Override
    public void onFault(long offset, boolean minor, long timeNs) {
        int seen = 0;
        int mask = packets.length - 1;
        for (long p = cursor - 1; seen < held && p >= 0 && p >= cursor - packets.length; p--) {
            Packet packet = packets[(int) (p & mask)];
            if (!packet.isHeld()) {
                continue;
            }
            seen++;
            if (packet.offset() < offset + pageSize && offset < packet.offset() + packet.length()
                    && !packet.isStillValid()) {
                notified(packet, timeNs);
                return;
            }
        }
        counters.addCounter(StreamCounter.REUSE_FAULTS, 1);
    }

    private void notified(Packet packet, long timeNs) {
        if (packet.revocationNotified()) {
            return; // a second page of the same packet
        }
        packet.revocationNotified(true);
        counters.addCounter(StreamCounter.REVOKED_BY_FAULT, 1);
        if (listener != null) {
            listener.onRevoked(packet.virtualTime(), packet.position(), timeNs);
        }
    }

    /** {@code packet}'s release found it revoked; counts it by check unless a fault told us first. */
    void revokedAtRelease(Packet packet) {
        if (!packet.revocationNotified()) {
            packet.revocationNotified(true);
            counters.addCounter(StreamCounter.REVOKED_BY_CHECK, 1);
            if (listener != null) {
                listener.onRevoked(packet.virtualTime(), packet.position(), -1);
            }
        }
    }

    @Override
    public void close() {
        watch.close();
    }
}
