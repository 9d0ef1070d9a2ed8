package io.dsipanama.stream;

import io.dsipanama.ffm.Time;
import io.dsipanama.stream.synthetic.Payload;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** Producer and consumer in one process (the ring's rules; {@link StreamPeerTest} does it across processes). */
@Timeout(60)
class StreamRingTest {
    private final TestRoot root = new TestRoot();

    @AfterEach
    void cleanUp() throws Exception {
        root.close();
    }

    private static StreamSpec.Builder spec(int count, OverflowPolicy policy) {
        return StreamSpec.builder().descriptorCount(count).dataBytes(1 << 20).maxPacketBytes(64 << 10).policy(policy)
                .mode(StreamMode.NON_REAL_TIME);
    }

    private static void produce(StreamProducer p, long sequence, int size) {
        Claim c = p.tryClaim(size);
        assertNotNull(c, "no room for packet " + sequence);
        Payload.fill(c.buffer(), c.offset(), size, sequence, sequence);
        c.commit(sequence);
    }

    @Test
    void packetsArriveInOrderInPlaceAndIntact() {
        try (StreamProducer p = StreamProducer.create(root.dir, "s", spec(64, OverflowPolicy.BLOCK).build());
             StreamConsumer c = StreamConsumer.open(root.dir, "s")) {
            SplittableRandom random = new SplittableRandom(1);
            long expected = 0;
            for (long seq = 0; seq < 20_000; seq++) {
                int size = 1 + random.nextInt(64 << 10);
                Claim claim = p.tryClaim(size);
                if (claim != null) {
                    Payload.fill(claim.buffer(), claim.offset(), size, seq, seq);
                    claim.commit(seq);
                } else {
                    seq--; // full (BLOCK): drain below, then try the same sequence again
                }
                if (claim == null || random.nextInt(4) == 0 || seq == 19_999) {
                    for (Packet k; (k = c.poll()) != null; expected++) {
                        assertEquals(expected, k.virtualTime());
                        assertEquals(expected, k.position());
                        assertEquals(0, k.lostBefore());
                        assertTrue(Payload.verify(k.buffer(), k.offset(), k.length(), k.virtualTime()));
                        MemorySegment view = k.segment();
                        assertTrue(view.isReadOnly(), "consumer view must be read-only");
                        assertEquals(k.buffer().address() + k.offset(), view.address(), "a view, not a copy");
                        assertEquals(0, k.offset() % StreamProducer.ALIGNMENT);
                        assertTrue(k.isStillValid());
                        assertTrue(k.release());
                    }
                }
            }
            assertEquals(20_000, expected);
            StreamStats s = c.stats();
            assertEquals(20_000, s.counter(StreamCounter.PRODUCED));
            assertEquals(20_000, s.counter(StreamCounter.CONSUMED));
            assertEquals(0, s.counter(StreamCounter.FUTEX_WAKES_CONSUMER) + s.counter(StreamCounter.FUTEX_WAKES_PRODUCER),
                    "nobody slept, so nobody was woken");
        }
    }

    @Test
    void aSizedRingHoldsEveryDescriptorFullOfMaximumPacketsWhateverTheWrapPoint() {
        StreamSizing sizing = StreamSizing.forPeriodicStream(1_000_000, 0, 3000, 5_000_000);
        try (StreamProducer p = StreamProducer.create(root.dir, "s", StreamSpec.builder().sizing(sizing)
                .policy(OverflowPolicy.BLOCK).build());
             StreamConsumer c = StreamConsumer.open(root.dir, "s")) {
            for (int round = 0; round < 50; round++) {
                produce(p, round * 1000L, 1 + round * 37 % 3000); // moves the wrap point around
                c.poll().release();
                for (int i = 0; i < sizing.descriptorCount(); i++) {
                    produce(p, round * 1000L + 1 + i, 3000);
                }
                for (Packet k; (k = c.poll()) != null; ) {
                    k.release();
                }
            }
        }
    }

    @Test
    void dropOldestKeepsTheNewestAndReportsTheRestExactly() {
        try (StreamProducer p = StreamProducer.create(root.dir, "s", spec(8, OverflowPolicy.DROP_OLDEST).build());
             StreamConsumer c = StreamConsumer.open(root.dir, "s")) {
            for (long seq = 0; seq < 1000; seq++) {
                produce(p, seq, 100);
            }
            Packet first = c.poll();
            assertEquals(first.virtualTime(), first.lostBefore(LossReason.OVERFLOW), "every position before it is reported");
            long received = 1;
            first.release();
            for (Packet k; (k = c.poll()) != null; received++) {
                assertEquals(0, k.lostBefore());
                k.release();
            }
            assertEquals(1000, received + c.lost(LossReason.OVERFLOW));
            assertTrue(received <= 8);
            assertEquals(1000 - received, p.stats().counter(StreamCounter.DROPPED_OVERFLOW_OLDEST));
        }
    }

    @Test
    void aPacketDroppedWhileHeldIsInvalidAndReportedRevoked() {
        try (StreamProducer p = StreamProducer.create(root.dir, "s", spec(4, OverflowPolicy.DROP_OLDEST).build());
             StreamConsumer c = StreamConsumer.open(root.dir, "s")) {
            produce(p, 0, 1000);
            Packet held = c.poll();
            assertTrue(held.isStillValid());
            for (long seq = 1; seq < 10; seq++) {
                produce(p, seq, 1000);
            }
            assertFalse(held.isStillValid(), "the producer took it back");
            assertFalse(held.release());
            Packet next = c.poll();
            assertEquals(1, next.lostBefore(LossReason.REVOKED));
            assertEquals(next.position() - 1, next.lostBefore(LossReason.OVERFLOW));
            assertEquals(1, p.stats().counter(StreamCounter.REVOKED));
        }
    }

    @Test
    void dropNewestKeepsTheOldestAndTheNextPacketReportsTheRefusals() {
        try (StreamProducer p = StreamProducer.create(root.dir, "s", spec(8, OverflowPolicy.DROP_NEWEST).build());
             StreamConsumer c = StreamConsumer.open(root.dir, "s")) {
            int published = 0;
            for (long seq = 0; seq < 100; seq++) {
                Claim k = p.tryClaim(100);
                if (k != null) {
                    Payload.fill(k.buffer(), k.offset(), 100, seq, seq);
                    k.commit(seq);
                    published++;
                }
            }
            assertEquals(8, published);
            for (long seq = 0; seq < 8; seq++) {
                Packet k = c.poll();
                assertEquals(seq, k.virtualTime());
                k.release();
            }
            assertNull(c.poll());
            produce(p, 100, 100);
            Packet k = c.poll();
            assertEquals(92, k.lostBefore(LossReason.OVERFLOW));
            assertEquals(92, p.stats().counter(StreamCounter.DROPPED_OVERFLOW_NEWEST));
        }
    }

    @Test
    void blockRefusesWhenFullAndAWaitingProducerIsWokenByARelease() throws Exception {
        try (StreamProducer p = StreamProducer.create(root.dir, "s", spec(4, OverflowPolicy.BLOCK).build());
             StreamConsumer c = StreamConsumer.open(root.dir, "s")) {
            for (long seq = 0; seq < 4; seq++) {
                produce(p, seq, 10);
            }
            assertNull(p.tryClaim(10));
            long t0 = System.nanoTime();
            assertNull(p.claim(10, 50_000_000L), "times out");
            assertTrue(System.nanoTime() - t0 >= 50_000_000L);
            CompletableFuture<Claim> blocked = CompletableFuture.supplyAsync(() -> p.claim(10, 10_000_000_000L));
            waitUntil(() -> p.stats().counter(StreamCounter.FUTEX_WAITS_PRODUCER) >= 2, "producer sleeping");
            c.poll().release();
            Claim k = blocked.get(10, TimeUnit.SECONDS);
            assertNotNull(k);
            k.commit(4);
            assertTrue(c.stats().counter(StreamCounter.FUTEX_WAKES_PRODUCER) >= 1);
            assertEquals(0, c.lost(LossReason.OVERFLOW));
        }
    }

    @Test
    void expiredPacketsAreNeverDeliveredAndTheProducerReclaimsThem() throws Exception {
        StreamSpec s = StreamSpec.builder().descriptorCount(8).dataBytes(1 << 20).maxPacketBytes(1 << 16)
                .policy(OverflowPolicy.BLOCK).mode(StreamMode.REAL_TIME).nsPerTick(1_000_000).validityTicks(500).build();
        try (StreamProducer p = StreamProducer.create(root.dir, "s", s);
             StreamConsumer c = StreamConsumer.open(root.dir, "s")) {
            for (int i = 0; i < 8; i++) {
                produce(p, p.virtualTimeNow(), 100);
            }
            Thread.sleep(600);
            for (int i = 0; i < 8; i++) {
                produce(p, p.virtualTimeNow(), 100); // BLOCK, full, but all expired: reclaimed
            }
            assertEquals(8, p.stats().counter(StreamCounter.EXPIRED));
            Packet k = c.poll();
            assertNotNull(k);
            assertEquals(8, k.lostBefore(LossReason.EXPIRED));
            assertTrue(System.nanoTime() < k.expiryNs());
            k.release();
            Thread.sleep(600);
            assertNull(c.poll(), "the rest expired while queued");
            assertEquals(15, c.lost(LossReason.EXPIRED));
            assertEquals(7, c.stats().counter(StreamCounter.EXPIRED_AT_CONSUMER));
        }
    }

    @Test
    void spoolForwardSkipsOlderPacketsAndTheProducerSeesTheTarget() {
        try (StreamProducer p = StreamProducer.create(root.dir, "s", spec(128, OverflowPolicy.BLOCK).build());
             StreamConsumer c = StreamConsumer.open(root.dir, "s")) {
            assertEquals(Long.MIN_VALUE, p.spoolTarget());
            for (long seq = 0; seq < 100; seq++) {
                produce(p, seq, 64);
            }
            c.spoolForward(60);
            assertEquals(60, p.spoolTarget());
            Packet k = c.poll();
            assertEquals(60, k.virtualTime());
            assertEquals(60, k.lostBefore(LossReason.SKIPPED));
            assertEquals(60, c.stats().counter(StreamCounter.SKIPPED));
        }
    }

    @Test
    void missingMarkersAreReportedAsMissing() {
        try (StreamProducer p = StreamProducer.create(root.dir, "s", spec(16, OverflowPolicy.BLOCK).build());
             StreamConsumer c = StreamConsumer.open(root.dir, "s")) {
            produce(p, 0, 10);
            assertTrue(p.markMissing(1));
            assertTrue(p.markMissing(2));
            produce(p, 3, 10);
            c.poll().release();
            Packet k = c.poll();
            assertEquals(3, k.virtualTime());
            assertEquals(2, k.lostBefore(LossReason.MISSING));
        }
    }

    @Test
    void virtualTimeNeverGoesBackAndBadLengthsAreRefused() {
        try (StreamProducer p = StreamProducer.create(root.dir, "s", spec(16, OverflowPolicy.BLOCK).build())) {
            produce(p, 10, 10);
            Claim k = p.tryClaim(10);
            assertThrows(IllegalArgumentException.class, () -> k.commit(9));
            k.commit(10);
            assertThrows(IllegalArgumentException.class, () -> p.tryClaim(-1));
            assertThrows(IllegalArgumentException.class, () -> p.tryClaim((64 << 10) + 1));
            Claim again = p.tryClaim(1);
            assertThrows(IllegalStateException.class, () -> p.tryClaim(1), "one claim at a time");
            again.abort();
        }
    }

    @Test
    void oneProducerAndOneConsumerPerStream() {
        try (StreamProducer p = StreamProducer.create(root.dir, "s", spec(16, OverflowPolicy.BLOCK).build());
             StreamConsumer c = StreamConsumer.open(root.dir, "s")) {
            StreamAccessException e = assertThrows(StreamAccessException.class, () -> StreamConsumer.open(root.dir, "s"));
            assertEquals(StreamAccessException.Reason.PEER_ATTACHED, e.reason());
            assertThrows(StreamAccessException.class, () -> StreamProducer.open(root.dir, "s"));
            assertNotNull(p);
            assertNotNull(c);
        }
    }

    @Test
    void aCorruptDescriptorIsRefusedCountedAndSteppedOver() {
        try (StreamProducer p = StreamProducer.create(root.dir, "s", spec(16, OverflowPolicy.BLOCK).build());
             StreamMapping raw = root.dir.open("s", StreamRole.CONSUMER);
             StreamConsumer c = StreamConsumer.open(root.dir, "s")) {
            produce(p, 0, 100);
            produce(p, 1, 100);
            raw.controlSegment().set(java.lang.foreign.ValueLayout.JAVA_LONG, PacketDescriptorDescriptor.DATA_OFFSET_OFFSET,
                    raw.layout().dataLength() - 10); // 100 bytes at 10 before the end: outside the area
            StreamCorruptionException e = assertThrows(StreamCorruptionException.class, c::poll);
            assertTrue(e.getMessage().contains("outside the data area"), e.getMessage());
            Packet k = c.poll();
            assertEquals(1, k.virtualTime());
            assertEquals(1, k.lostBefore(LossReason.CORRUPT));
            assertEquals(1, c.stats().counter(StreamCounter.CORRUPTION_DETECTED));
        }
    }

    @Test
    void theHotPathsAllocateNothing() {
        var threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        StreamSpec s = StreamSpec.builder().descriptorCount(64).dataBytes(1 << 20).maxPacketBytes(4096)
                .policy(OverflowPolicy.DROP_OLDEST).mode(StreamMode.REAL_TIME).build();
        try (StreamProducer p = StreamProducer.create(root.dir, "s", s);
             StreamConsumer c = StreamConsumer.open(root.dir, "s")) {
            long[] allocated = new long[2];
            for (int round = 0; round < 2; round++) { // round 0 warms up (class loading, JIT)
                long before = threads.getCurrentThreadAllocatedBytes();
                for (int i = 0; i < 200_000; i++) {
                    Claim k = p.tryClaim(256);
                    k.buffer().set(java.lang.foreign.ValueLayout.JAVA_LONG, k.offset(), i);
                    k.commit(p.virtualTimeNow());
                    if ((i & 3) == 3) {
                        for (Packet q; (q = c.poll()) != null; ) {
                            q.buffer().get(java.lang.foreign.ValueLayout.JAVA_LONG, q.offset());
                            q.release();
                        }
                    }
                }
                allocated[round] = threads.getCurrentThreadAllocatedBytes() - before;
            }
            assertTrue(allocated[1] < 4096, "claim/commit/poll/release allocated " + allocated[1]
                    + " bytes for 200000 packets after warm-up");
        }
    }

    @Test
    void virtualTimeUsesTheSameClockAsTheKernelMonotonicClock() {
        long a = Time.monotonicNs();
        long b = System.nanoTime();
        long c = Time.monotonicNs();
        assertTrue(a <= b && b <= c, "System.nanoTime is CLOCK_MONOTONIC: " + a + " " + b + " " + c);
    }

    static void waitUntil(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting for: " + what);
            Thread.sleep(1);
        }
    }
}
