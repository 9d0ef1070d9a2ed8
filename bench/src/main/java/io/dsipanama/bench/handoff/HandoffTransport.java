package io.dsipanama.bench.handoff;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

/**
 * A way to hand packets from one producer to one consumer, in one process or across two: what the JMH
 * benchmarks, the cross-process harness and the conformance tests drive. A new subject (the DSI stream)
 * is one implementing class plus one line in {@link HandoffTransports}.
 *
 * <p>Life cycle: a coordinator calls {@link #create} once; the returned {@link Medium} owns what both
 * sides attach to (a file, a media driver) and lives until both sides are closed. Its
 * {@link Medium#location()} is a plain string, so the sides may be opened in other processes
 * ({@link #openProducer}, {@link #openConsumer}).
 *
 * <p>Threading: one thread uses a {@link Producer}, one (other) thread a {@link Consumer}; they may be
 * in different processes. Everything a packet's producer wrote before {@link Producer#offer} returned
 * true is visible to the consumer's {@link PacketHandler} for that packet (each transport states its
 * release/acquire pair). {@code offer} and {@code poll} allocate nothing.
 */
public interface HandoffTransport {
    /** Short lower-case name used on command lines and in reports ({@code agrona}, {@code aeron}). */
    String name();

    /**
     * Creates the shared medium for packets of up to {@code maxPacketLength} bytes; files go under
     * {@code dir} (normally {@code /dev/shm}). The medium holds at least 8 packets of that length in flight.
     */
    Medium create(Path dir, int maxPacketLength) throws IOException;

    /** Attaches a producer that writes packets of {@code payload} to the medium at {@code location}. */
    Producer openProducer(String location, Payload payload) throws IOException;

    /** Attaches a consumer for packets of up to {@code maxPacketLength} bytes. */
    Consumer openConsumer(String location, int maxPacketLength) throws IOException;

    /** What a transport's two sides share; closing it removes it (close the sides first). */
    interface Medium extends AutoCloseable {
        String location();

        @Override
        void close();
    }

    /** The producing side. */
    interface Producer extends AutoCloseable {
        /**
         * Publishes packet {@code seq} of {@code length} bytes, written by {@link Payload#write} (or by the
         * transport's own copy of the same bytes).
         *
         * @return false when back-pressured: nothing was published, try again
         */
        boolean offer(long seq, long sentNs, int length);

        @Override
        void close();
    }

    /** The consuming side. */
    interface Consumer extends AutoCloseable {
        /**
         * Delivers up to {@code limit} whole packets, in order, to {@code handler}.
         *
         * @return how many packets were delivered (0 when none is complete yet)
         */
        int poll(PacketHandler handler, int limit);

        @Override
        void close();
    }

    /** Receives a packet in place; the segment range is valid only during the call. */
    @FunctionalInterface
    interface PacketHandler {
        void onPacket(MemorySegment segment, long offset, int length);
    }
}
