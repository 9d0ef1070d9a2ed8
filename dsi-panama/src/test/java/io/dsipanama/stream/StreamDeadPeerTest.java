package io.dsipanama.stream;

import io.dsipanama.ffm.ChildJvm;
import io.dsipanama.stream.synthetic.Payload;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.MemorySegment;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Issue 4 item 7, with real processes killed by SIGKILL: a consumer that dies holding packets does not
 * block the producer (it takes them back itself, no new consumer needed); a producer that dies mid-claim
 * or mid-commit leaves nothing a consumer or a successor producer takes for a packet.
 */
@Timeout(120)
class StreamDeadPeerTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private final TestRoot root = new TestRoot();

    @AfterEach
    void cleanUp() throws Exception {
        root.close();
    }

    private ChildJvm child(String mode, String... options) {
        String[] args = new String[3 + options.length];
        args[0] = mode;
        args[1] = root.path.toString();
        args[2] = "s";
        System.arraycopy(options, 0, args, 3, options.length);
        return ChildJvm.start(HostileMain.class, args);
    }

    private static void kill(ChildJvm child) throws InterruptedException {
        child.process().destroyForcibly(); // SIGKILL
        child.waitFor(WAIT);
    }

    private static boolean offer(StreamProducer p, long seq, long timeoutNs) {
        Claim k = timeoutNs == 0 ? p.tryClaim(200) : p.claim(200, timeoutNs);
        if (k == null) {
            return false;
        }
        Payload.fill(k.buffer(), k.offset(), k.length(), seq, seq);
        k.commit(seq);
        return true;
    }

    @ParameterizedTest
    @EnumSource(value = OverflowPolicy.class, names = {"BLOCK", "DROP_NEWEST"})
    void theProducerRecoversPacketsAKilledConsumerHeld(OverflowPolicy policy) throws Exception {
        StreamSpec spec = StreamSpec.builder().descriptorCount(8).dataBytes(1 << 16).maxPacketBytes(1024).policy(policy)
                .mode(StreamMode.NON_REAL_TIME).build();
        try (StreamProducer p = StreamProducer.create(root.dir, "s", spec); ChildJvm consumer = child("hold", "count=8")) {
            for (int i = 0; i < 8; i++) {
                assertTrue(offer(p, i, 0));
            }
            consumer.expect("holding 8", WAIT);
            assertFalse(offer(p, 8, 0), "all 8 descriptors are held by a live consumer");
            assertEquals(0, p.stats().counter(StreamCounter.RECOVERED_FROM_DEAD_CONSUMER));
            kill(consumer);
            long killed = System.nanoTime();
            boolean room = false;
            while (!room && System.nanoTime() - killed < 5_000_000_000L) {
                room = offer(p, 8, policy == OverflowPolicy.BLOCK ? 1_000_000_000L : 0);
            }
            long ms = (System.nanoTime() - killed) / 1_000_000;
            assertTrue(room, "the producer alone made room after the consumer died");
            assertTrue(ms < 2_000, "recovered after " + ms + " ms");
            for (int i = 9; i < 16; i++) {
                assertTrue(offer(p, i, 0), "the producer keeps producing: packet " + i);
            }
            assertEquals(8, p.stats().counter(StreamCounter.RECOVERED_FROM_DEAD_CONSUMER));
            assertEquals(0, p.stats().corruptionDetected(), "a dead consumer is not corruption");
            try (StreamConsumer next = StreamConsumer.open(root.dir, "s")) {
                for (int i = 8; i < 16; i++) {
                    Packet k = next.poll();
                    assertNotNull(k, "packet " + i);
                    assertEquals(i, k.position());
                    assertTrue(Payload.verify(k.buffer(), k.offset(), k.length(), k.virtualTime()));
                    assertTrue(k.isStillValid());
                    k.release();
                }
                assertNull(next.poll());
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"half-claim", "half-publish"})
    void aProducerKilledMidClaimLeavesNoHalfWrittenPacket(String mode) throws Exception {
        StreamSpec spec = StreamSpec.builder().descriptorCount(16).dataBytes(1 << 16).maxPacketBytes(1024)
                .policy(OverflowPolicy.BLOCK).mode(StreamMode.NON_REAL_TIME).build();
        StreamProducer.create(root.dir, "s", spec).close();
        try (StreamConsumer c = StreamConsumer.open(root.dir, "s")) {
            try (ChildJvm producer = child(mode, "packets=5")) {
                producer.expect("claimed position=5", WAIT);
                kill(producer);
            }
            for (int i = 0; i < 5; i++) {
                Packet k = c.poll();
                assertNotNull(k);
                assertTrue(Payload.verify(k.buffer(), k.offset(), k.length(), k.virtualTime()), k.toString());
                k.release();
            }
            for (int i = 0; i < 5_000; i++) { // several looks of the stall watch: an odd sequence is not corruption
                assertNull(c.poll(), "the half-written position 5 is never delivered");
            }
            assertThrows(StreamPeerGoneException.class, () -> c.take(1_000_000_000L));
            try (StreamProducer next = StreamProducer.open(root.dir, "s")) {
                assertEquals(5, next.position(), "the successor rebuilt its position from complete slots only");
                for (int i = 5; i < 8; i++) {
                    assertTrue(next.offer(MemorySegment.ofArray(packet(i)), i));
                }
            }
            for (int i = 5; i < 8; i++) {
                Packet k = c.poll();
                assertNotNull(k, "packet " + i);
                assertEquals(i, k.position());
                assertEquals(1000, k.length());
                assertTrue(Payload.verify(k.buffer(), k.offset(), k.length(), k.virtualTime()), k.toString());
                k.release();
            }
            assertEquals(0, c.stats().corruptionDetected());
            assertEquals(0, c.lost(LossReason.CORRUPT));
        }
    }

    private static byte[] packet(long seq) {
        MemorySegment s = MemorySegment.ofArray(new byte[1000]);
        Payload.fill(s, 0, 1000, seq, seq);
        return s.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
    }
}
