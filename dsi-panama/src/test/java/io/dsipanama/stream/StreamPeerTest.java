package io.dsipanama.stream;

import io.dsipanama.ffm.ChildJvm;
import io.dsipanama.stream.synthetic.ConsumeRun;
import io.dsipanama.stream.synthetic.ProduceRun;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** Producer and consumer in different JVMs, through a real shared stream file. */
@Timeout(300)
class StreamPeerTest {
    private static final Duration WAIT = Duration.ofSeconds(120);
    private final TestRoot root = new TestRoot();

    @AfterEach
    void cleanUp() throws Exception {
        root.close();
    }

    private StreamSpec.Builder spec(OverflowPolicy policy) {
        return StreamSpec.builder().descriptorCount(256).dataBytes(16 << 20).maxPacketBytes(1 << 20).policy(policy)
                .mode(StreamMode.NON_REAL_TIME);
    }

    private ChildJvm child(String role, String... options) {
        String[] args = new String[3 + options.length];
        args[0] = role;
        args[1] = root.path.toString();
        args[2] = "s";
        System.arraycopy(options, 0, args, 3, options.length);
        return ChildJvm.start(StreamPeerMain.class, args);
    }

    private static Map<String, String> report(ChildJvm child) throws InterruptedException {
        String line = child.expect("report", WAIT);
        assertNotNull(line, "no report; transcript:\n" + child.transcript());
        return StreamPeerMain.parse(line);
    }

    private static void assertClean(Map<String, String> r) {
        for (String key : new String[]{"checksum", "order", "accounting", "expiredDelivered"}) {
            assertEquals("0", r.get(key), key + " in " + r);
        }
    }

    @Test
    void aMillionPacketsOfOneByteToOneMebibyteArriveIntactAndInOrder() throws Exception {
        try (StreamProducer p = StreamProducer.create(root.dir, "s", spec(OverflowPolicy.BLOCK).build());
             ChildJvm consumer = child("consume", "count=1000000")) {
            consumer.expect("attached", WAIT);
            ProduceRun.Report sent = new ProduceRun(1_000_000, -1, 1, 1 << 20, 0, true, 0, 42).run(p, () -> false);
            Map<String, String> r = report(consumer);
            assertEquals(1_000_000, sent.published());
            assertEquals("1000000", r.get("received"), r.toString());
            assertClean(r);
            for (LossReason reason : LossReason.values()) {
                assertEquals("0", r.get("lost." + reason), reason + " under BLOCK");
            }
            assertEquals(1_000_000, p.stats().counter(StreamCounter.CONSUMED));
            assertEquals(sent.bytes(), p.stats().counter(StreamCounter.BYTES_CONSUMED));
        }
    }

    @ParameterizedTest
    @EnumSource(OverflowPolicy.class)
    void eachOverflowPolicyWithAStalledConsumer(OverflowPolicy policy) throws Exception {
        {
            StreamProducer.create(root.dir, "s", spec(policy).descriptorCount(16).build()).close(); // the child produces
            try (StreamConsumer c = StreamConsumer.open(root.dir, "s");
                 ChildJvm producer = child("produce", "packets=2000", "min=16", "max=65536", "blocking=1")) {
                producer.expect("attached", WAIT);
                if (policy == OverflowPolicy.BLOCK) {
                    StreamRingTest.waitUntil(() -> c.stats().counter(StreamCounter.FUTEX_WAITS_PRODUCER) > 0,
                            "the producer sleeping on a full stream");
                    assertEquals(16, c.stats().fillPackets(), "full, nothing dropped");
                } else {
                    assertNotNull(producer.expect("report", WAIT), "a dropping producer never waits");
                }
                ConsumeRun.Report r = new ConsumeRun(-1, 20_000_000_000L, 0, true).run(c, () -> false);
                assertEquals(ConsumeRun.End.PRODUCER_GONE, r.end());
                assertTrue(r.clean(), r.toString());
                assertEquals(2000, r.received() + r.lostTotal(), "every packet received or reported lost: " + r);
                assertEquals(r.lostTotal(), r.lost().get(LossReason.OVERFLOW), r.toString());
                switch (policy) {
                    case BLOCK -> assertEquals(2000, r.received());
                    case DROP_OLDEST, DROP_NEWEST -> assertTrue(r.received() <= 16 + 1, r.toString());
                }
                StreamStats s = c.stats();
                if (policy == OverflowPolicy.DROP_OLDEST) {
                    assertEquals(r.lostTotal(), s.counter(StreamCounter.DROPPED_OVERFLOW_OLDEST));
                }
                if (policy == OverflowPolicy.DROP_NEWEST) {
                    assertEquals(r.lostTotal(), s.counter(StreamCounter.DROPPED_OVERFLOW_NEWEST));
                }
            }
        }
    }

    @Test
    void expiredPacketsAreNeverDeliveredAcrossProcesses() throws Exception {
        StreamSpec s = spec(OverflowPolicy.BLOCK).descriptorCount(64).mode(StreamMode.REAL_TIME).nsPerTick(1_000_000)
                .validityTicks(10).build();
        {
            StreamProducer.create(root.dir, "s", s).close();
            try (StreamConsumer c = StreamConsumer.open(root.dir, "s");
                 ChildJvm producer = child("produce", "packets=300", "rate=1000", "min=16", "max=1024")) {
                producer.expect("attached", WAIT);
                ConsumeRun.Report r = new ConsumeRun(-1, 20_000_000_000L, 3_000_000, true).run(c, () -> false);
                assertTrue(r.clean(), r.toString());
                assertEquals(0, r.expiredDelivered());
                assertTrue(r.lost().get(LossReason.EXPIRED) > 0, "a 3 ms consumer of a 1 kHz stream with 10 ms validity: " + r);
                assertEquals(300, r.received() + r.lostTotal(), r.toString());
            }
        }
    }

    @Test
    void spoolForwardCrossesProcesses() throws Exception {
        try (StreamProducer p = StreamProducer.create(root.dir, "s", spec(OverflowPolicy.BLOCK).descriptorCount(1024).build());
             ChildJvm consumer = child("consume", "spool=500", "count=500")) {
            consumer.expect("attached", WAIT);
            assertEquals(500, p.spoolTarget(), "the producer sees the consumer's target");
            new ProduceRun(1000, -1, 16, 256, 0, true, 0, 1).run(p, () -> false);
            Map<String, String> r = report(consumer);
            assertClean(r);
            assertEquals("500", r.get("received"));
            assertEquals("500", r.get("lost.SKIPPED"));
            assertEquals(500, p.stats().counter(StreamCounter.SKIPPED));
        }
    }

    @ParameterizedTest(name = "producer blocking={0}, consumer blocking={1}")
    @CsvSource({"true,true", "true,false", "false,true", "false,false"})
    void everyBlockingCombination(boolean producerBlocks, boolean consumerBlocks) throws Exception {
        try (StreamProducer p = StreamProducer.create(root.dir, "s", spec(OverflowPolicy.BLOCK).descriptorCount(16).build());
             ChildJvm consumer = child("consume", "count=10000", "blocking=" + (consumerBlocks ? 1 : 0))) {
            consumer.expect("attached", WAIT);
            ProduceRun.Report sent = new ProduceRun(10_000, -1, 64, 4096, 0, producerBlocks, 0, 3).run(p, () -> false);
            Map<String, String> r = report(consumer);
            assertClean(r);
            assertEquals(10_000, sent.published());
            assertEquals("10000", r.get("received"));
            StreamStats s = p.stats();
            if (!producerBlocks) {
                assertEquals(0, s.counter(StreamCounter.FUTEX_WAITS_PRODUCER), "a spinning producer never sleeps");
                assertEquals(0, s.counter(StreamCounter.FUTEX_WAKES_PRODUCER), "so it is never woken");
            }
            if (!consumerBlocks) {
                assertEquals(0, s.counter(StreamCounter.FUTEX_WAITS_CONSUMER), "a polling consumer never sleeps");
                assertEquals(0, s.counter(StreamCounter.FUTEX_WAKES_CONSUMER), "so it is never woken");
            }
        }
    }

    @Test
    void aConsumerBlockedOnAKilledProducerLearnsWithinASecond() throws Exception {
        {
            StreamProducer.create(root.dir, "s", spec(OverflowPolicy.BLOCK).build()).close();
            try (StreamConsumer c = StreamConsumer.open(root.dir, "s");
                 ChildJvm producer = child("produce", "packets=10", "hold=1")) {
                producer.expect("report", WAIT);
                for (int i = 0; i < 10; i++) {
                    c.take(1_000_000_000L).release();
                }
                CompletableFuture<Long> gone = CompletableFuture.supplyAsync(() -> {
                    try {
                        c.take(30_000_000_000L);
                        return -1L;
                    } catch (StreamPeerGoneException e) {
                        return System.nanoTime();
                    }
                });
                StreamRingTest.waitUntil(() -> c.stats().counter(StreamCounter.FUTEX_WAITS_CONSUMER) > 0, "consumer asleep");
                long killed = System.nanoTime();
                producer.process().destroyForcibly(); // SIGKILL
                long learned = gone.get(10, TimeUnit.SECONDS);
                assertTrue(learned > 0, "take() must throw StreamPeerGoneException");
                assertTrue(learned - killed < 1_000_000_000L, "learned after " + (learned - killed) / 1_000_000 + " ms");
            }
        }
    }

    @Test
    void aProducerBlockedOnAKilledConsumerLearnsWithinASecond() throws Exception {
        try (StreamProducer p = StreamProducer.create(root.dir, "s", spec(OverflowPolicy.BLOCK).descriptorCount(4).build());
             ChildJvm consumer = child("consume", "count=1", "hold=1")) {
            consumer.expect("attached", WAIT);
            for (int i = 0; i < 4; i++) {
                assertTrue(p.offer(java.lang.foreign.MemorySegment.ofArray(new byte[100]), i));
            }
            report(consumer); // it took one and released it: 3 queued, one free
            assertTrue(p.offer(java.lang.foreign.MemorySegment.ofArray(new byte[100]), 4));
            CompletableFuture<Long> gone = CompletableFuture.supplyAsync(() -> {
                try {
                    p.claim(100, 30_000_000_000L);
                    return -1L;
                } catch (StreamPeerGoneException e) {
                    return System.nanoTime();
                }
            });
            StreamRingTest.waitUntil(() -> p.stats().counter(StreamCounter.FUTEX_WAITS_PRODUCER) > 0, "producer asleep");
            long killed = System.nanoTime();
            consumer.process().destroyForcibly();
            long learned = gone.get(10, TimeUnit.SECONDS);
            assertTrue(learned > 0, "claim() must throw StreamPeerGoneException");
            assertTrue(learned - killed < 1_000_000_000L, "learned after " + (learned - killed) / 1_000_000 + " ms");
            // a new consumer takes over and receives what was queued
            try (StreamConsumer next = StreamConsumer.open(root.dir, "s")) {
                int n = 0;
                for (Packet k; (k = next.poll()) != null; n++) {
                    k.release();
                }
                assertEquals(4, n);
            }
        }
    }
}
