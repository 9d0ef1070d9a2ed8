package io.dsipanama.bench.handoff;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One suite for every {@link HandoffTransport}: a subclass names the transport. Real threads, real
 * shared files under {@code /dev/shm}, every byte of every packet checked.
 */
abstract class HandoffTransportConformance {
    private static final Path DIR = Path.of("/dev/shm");
    private static final long TIMEOUT_NS = TimeUnit.SECONDS.toNanos(20);

    abstract HandoffTransport transport();

    /** Packet lengths vary: every third packet is the largest, the others anything from 16 B up. */
    static int lengthOf(long seq, int maxLength) {
        return seq % 3 == 0 ? maxLength : Payload.HEADER_LENGTH + (int) ((seq * 7919) % (maxLength - Payload.HEADER_LENGTH + 1));
    }

    @ParameterizedTest(name = "packets up to {0} B")
    @ValueSource(ints = {64, 4096, 65_536 + 24, 1 << 20})
    @Timeout(60)
    void movesPacketsAcrossThreadsByteExact(int maxLength) throws Exception {
        int packets = maxLength >= (1 << 20) ? 300 : 3000;
        HandoffTransport transport = transport();
        try (HandoffTransport.Medium medium = transport.create(DIR, maxLength);
             Payload payload = new Payload(maxLength);
             HandoffTransport.Consumer consumer = transport.openConsumer(medium.location(), maxLength);
             HandoffTransport.Producer producer = transport.openProducer(medium.location(), payload)) {
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread producing = Thread.ofPlatform().name("producer").start(() -> {
                try {
                    long deadline = System.nanoTime() + TIMEOUT_NS;
                    for (long seq = 0; seq < packets; seq++) {
                        for (long attempts = 0; !producer.offer(seq, System.nanoTime(), lengthOf(seq, maxLength)); attempts++) {
                            if (System.nanoTime() - deadline > 0) {
                                throw new AssertionError("back-pressured until the deadline at packet " + seq);
                            }
                            Idle.idle(attempts);
                        }
                    }
                } catch (Throwable t) {
                    failure.set(t);
                }
            });
            Checker checker = new Checker(payload, maxLength);
            long deadline = System.nanoTime() + TIMEOUT_NS;
            for (long attempts = 0; checker.received < packets && failure.get() == null; ) {
                if (consumer.poll(checker, 16) == 0) {
                    assertTrue(System.nanoTime() - deadline < 0, "received only " + checker.received + " of " + packets);
                    Idle.idle(attempts++);
                }
            }
            producing.join(TimeUnit.NANOSECONDS.toMillis(TIMEOUT_NS));
            assertNull(failure.get(), () -> "producer failed: " + failure.get());
            assertEquals(packets, checker.received);
            assertEquals(0, checker.bad, () -> "first bad packet: " + checker.firstBad);
            assertEquals(0, consumer.poll(checker, 16), "nothing beyond what was sent");
        }
    }

    @Test
    @Timeout(60)
    void refusesWhenTheWindowIsFullAndLosesNothing() throws Exception {
        int maxLength = 4096;
        HandoffTransport transport = transport();
        try (HandoffTransport.Medium medium = transport.create(DIR, maxLength);
             Payload payload = new Payload(maxLength);
             HandoffTransport.Consumer consumer = transport.openConsumer(medium.location(), maxLength);
             HandoffTransport.Producer producer = transport.openProducer(medium.location(), payload)) {
            long deadline = System.nanoTime() + TIMEOUT_NS;
            for (long attempts = 0; !producer.offer(0, 0, maxLength); attempts++) { // a subscriber may still be joining
                assertTrue(System.nanoTime() - deadline < 0, "the first packet was never accepted");
                Idle.idle(attempts);
            }
            // Fill until refused for 200 ms in a row (Aeron's driver may still be raising the limit).
            long accepted = 1;
            for (long lastAcceptedNs = System.nanoTime(); System.nanoTime() - lastAcceptedNs < 200_000_000L; ) {
                if (producer.offer(accepted, 0, maxLength)) {
                    accepted++;
                    lastAcceptedNs = System.nanoTime();
                    assertTrue(accepted < 10_000, "the window never filled");
                } else {
                    Thread.yield();
                }
            }
            for (int i = 0; i < 100; i++) {
                assertFalse(producer.offer(accepted, 0, maxLength), "accepted more while nobody consumed");
            }
            long window = HandoffTransports.windowBytes(maxLength + 64L);
            assertTrue(accepted >= HandoffTransports.PACKETS_IN_FLIGHT, "only " + accepted + " packets fit");
            assertTrue(accepted * maxLength <= 2 * window, accepted + " packets fit in a window of " + window + " B");

            Checker checker = new Checker(payload, -1);
            while (checker.received < accepted) {
                assertTrue(System.nanoTime() - deadline < 0, "drained only " + checker.received + " of " + accepted);
                consumer.poll(checker, 64);
            }
            assertEquals(0, checker.bad, () -> "first bad packet: " + checker.firstBad);
            for (long attempts = 0; !producer.offer(accepted, 0, maxLength); attempts++) {
                assertTrue(System.nanoTime() - deadline < 0, "no room again after draining");
                Idle.idle(attempts);
            }
            while (consumer.poll(checker, 1) == 0) {
                assertTrue(System.nanoTime() - deadline < 0, "the packet after the drain never arrived");
                Thread.onSpinWait();
            }
            assertEquals(accepted + 1, checker.received);
            assertEquals(0, checker.bad, () -> "first bad packet: " + checker.firstBad);
        }
    }

    /** Expects packets 0, 1, 2, ... with {@link #lengthOf} lengths (or all of maxLength when -1). */
    private static final class Checker implements HandoffTransport.PacketHandler {
        final Payload payload;
        final int variedUpTo;
        long received;
        long bad;
        String firstBad;

        Checker(Payload payload, int variedUpTo) {
            this.payload = payload;
            this.variedUpTo = variedUpTo;
        }

        @Override
        public void onPacket(MemorySegment segment, long offset, int length) {
            long seq = received++;
            int expectedLength = variedUpTo < 0 ? payload.maxLength() : lengthOf(seq, variedUpTo);
            long at = length == expectedLength ? payload.verify(segment, offset, length, seq) : -2;
            if (at != -1 && bad++ == 0) {
                firstBad = "packet " + seq + " (length " + length + ", expected " + expectedLength + "): "
                        + (at == -2 ? "wrong length" : "first wrong byte at " + at + ", seq read " + Payload.seq(segment, offset));
            }
        }
    }
}
