package io.dsipanama.netio.rtu;

/**
 * What an application puts on an upcall-driven ring ({@link UpcallRing}): made by its {@link Setup} inside the
 * first upcall, on the virtual processor's thread, with the senders and receivers it needs on that ring;
 * then called once per cycle of every job. Receivers ({@code UdpReceiver}, {@code StreamReceiver}) are driven
 * by the ring itself, so their app's {@link #doWork} may return 0; a {@code StreamSender} is driven here.
 */
public interface RingApp {
    /** Work for this cycle (take from streams, offer frames); returns the amount done, 0 when idle. No blocking. */
    int doWork(long nowNs);

    /** Closes what the setup made; runs on the ring's thread in the last upcall, before the ring closes. */
    default void close() {
    }

    /** Builds the application's part on the ring: runs once, in the first upcall, on the ring's thread. */
    @FunctionalInterface
    interface Setup<A extends RingApp> {
        A setUp(io.dsipanama.netio.RingOwner owner);
    }
}
