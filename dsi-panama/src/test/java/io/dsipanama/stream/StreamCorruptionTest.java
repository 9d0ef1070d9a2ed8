package io.dsipanama.stream;

import io.dsipanama.stream.synthetic.Payload;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.*;

/**
 * A hostile third process scribbling on the control area (simulated by a third mapping): the consumer and
 * the producer only ever throw {@link StreamCorruptionException}, never read or hand out memory outside the
 * data area, and count what they refused. The stall cases (a sequence word set far ahead or behind, a
 * garbage cursor) end in a bounded resynchronisation; {@link StreamHostilePeerTest} fuzzes across processes.
 */
@Timeout(120)
class StreamCorruptionTest {
    private final TestRoot root = new TestRoot();

    @AfterEach
    void cleanUp() throws Exception {
        root.close();
    }

    private static StreamSpec blockSpec() {
        return StreamSpec.builder().descriptorCount(16).dataBytes(1 << 16).maxPacketBytes(4096)
                .policy(OverflowPolicy.BLOCK).mode(StreamMode.NON_REAL_TIME).build();
    }

    private static void produce(StreamProducer p, int n) {
        for (int i = 0; i < n; i++) {
            Claim k = p.tryClaim(100);
            Payload.fill(k.buffer(), k.offset(), k.length(), p.position(), p.position());
            k.commit(p.position());
        }
    }

    /** Polls until a packet or a corruption report; fails if neither comes within {@code polls} polls. */
    private static Object pollUntilSomething(StreamConsumer c, int polls) {
        for (int i = 0; i < polls; i++) {
            try {
                Packet k = c.poll();
                if (k != null) {
                    return k;
                }
            } catch (StreamCorruptionException e) {
                return e;
            }
        }
        return fail("the consumer stalled for " + polls + " polls");
    }

    @ParameterizedTest(name = "sequence of position 0 set to {0}")
    @ValueSource(longs = {2 * 1_000_000 + 2, 2 * 16 + 2, 0, 1, Long.MAX_VALUE})
    void aScribbledSequenceEndsInAReportNotAStall(long sequence) {
        try (StreamProducer p = StreamProducer.create(root.dir, "s", blockSpec());
             StreamMapping hostile = root.dir.open("s", StreamRole.CONSUMER);
             StreamConsumer c = StreamConsumer.open(root.dir, "s")) {
            produce(p, 3);
            hostile.controlSegment().set(JAVA_LONG, PacketDescriptorDescriptor.SEQUENCE_OFFSET, sequence);
            Object first = pollUntilSomething(c, 10_000);
            StreamCorruptionException e = assertInstanceOf(StreamCorruptionException.class, first);
            assertTrue(e.getMessage().contains("sequence"), e.getMessage());
            assertEquals(0, e.position());
            for (int i = 1; i < 3; i++) {
                Packet k = assertInstanceOf(Packet.class, pollUntilSomething(c, 10_000));
                assertEquals(i, k.position());
                assertTrue(Payload.verify(k.buffer(), k.offset(), k.length(), k.virtualTime()));
                k.release();
            }
            assertEquals(1, c.lost(LossReason.CORRUPT));
            assertEquals(1, c.stats().corruptionDetected());
            produce(p, 16); // position 0 was released by the step-over: the BLOCK producer has the whole ring
        }
    }

    @Test
    void aGarbageCursorMovesBackToTheProducer() {
        try (StreamProducer p = StreamProducer.create(root.dir, "s", blockSpec());
             StreamMapping hostile = root.dir.open("s", StreamRole.CONSUMER)) {
            produce(p, 3);
            hostile.headerSegment().set(JAVA_LONG, StreamHeaderDescriptor.CONSUMER_POSITION_OFFSET, 1L << 40);
            try (StreamConsumer c = StreamConsumer.open(root.dir, "s")) {
                StreamCorruptionException e = assertInstanceOf(StreamCorruptionException.class, pollUntilSomething(c, 10_000));
                assertTrue(e.getMessage().contains("ahead of producer_position 3"), e.getMessage());
                for (int i = 0; i < 3; i++) {
                    assertEquals(i, assertInstanceOf(Packet.class, pollUntilSomething(c, 10_000)).position());
                }
            }
        }
    }

    @Test
    void aScribbledStateWordIsRepairedByTheProducer() {
        try (StreamProducer p = StreamProducer.create(root.dir, "s", blockSpec());
             StreamMapping hostile = root.dir.open("s", StreamRole.CONSUMER);
             StreamConsumer c = StreamConsumer.open(root.dir, "s")) {
            produce(p, 16);
            for (int i = 0; i < 16; i++) {
                c.poll().release();
            }
            hostile.controlSegment().set(JAVA_LONG, PacketDescriptorDescriptor.STATE_OFFSET, 0xdeadL);
            StreamCorruptionException e = assertThrows(StreamCorruptionException.class, () -> p.tryClaim(100));
            assertTrue(e.getMessage().contains("state word 0xdead"), e.getMessage());
            assertEquals(1, p.stats().counter(StreamCounter.PRODUCER_CORRUPTION_DETECTED));
            assertNotNull(p.tryClaim(100), "repaired: position 0 is freed on the next try");
        }
    }

    @Test
    void garbageInTheControlAreaIsRefusedNeverFollowed() {
        StreamSpec spec = StreamSpec.builder().descriptorCount(16).dataBytes(1 << 16).maxPacketBytes(4096)
                .policy(OverflowPolicy.DROP_OLDEST).mode(StreamMode.NON_REAL_TIME).build();
        try (StreamProducer p = StreamProducer.create(root.dir, "s", spec);
             StreamMapping hostile = root.dir.open("s", StreamRole.CONSUMER);
             StreamConsumer c = StreamConsumer.open(root.dir, "s")) {
            MemorySegment control = hostile.controlSegment();
            long dataLength = hostile.layout().dataLength();
            SplittableRandom random = new SplittableRandom(99);
            long refusedByConsumer = 0;
            long refusedByProducer = 0;
            long delivered = 0;
            for (long seq = 0; seq < 50_000; seq++) {
                try {
                    Claim k = p.tryClaim(1 + random.nextInt(4096));
                    Payload.fill(k.buffer(), k.offset(), k.length(), seq, seq);
                    k.commit(seq);
                } catch (StreamCorruptionException e) {
                    refusedByProducer++;
                }
                if (random.nextInt(8) == 0) {
                    long at = random.nextLong(control.byteSize() / 8) * 8;
                    if (random.nextBoolean()) {
                        control.set(JAVA_LONG, at, random.nextLong());
                    } else {
                        control.set(JAVA_BYTE, at + random.nextInt(8), (byte) random.nextInt());
                    }
                }
                try {
                    for (Packet k; (k = c.poll()) != null; delivered++) {
                        assertTrue(k.offset() >= 0 && k.length() >= 0 && k.offset() + k.length() <= dataLength,
                                "a slice outside the data area was handed out: " + k);
                        k.segment(); // must not throw: the bounds were checked before
                        k.release();
                    }
                } catch (StreamCorruptionException e) {
                    refusedByConsumer++;
                }
            }
            assertTrue(delivered > 0, "packets flowed before the garbage stopped them");
            assertTrue(refusedByConsumer + refusedByProducer > 0, "the scribbles were noticed");
            assertTrue(c.stats().counter(StreamCounter.CORRUPTION_DETECTED) >= refusedByConsumer, "each refusal counted");
        }
    }
}
