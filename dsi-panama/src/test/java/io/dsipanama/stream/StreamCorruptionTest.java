package io.dsipanama.stream;

import io.dsipanama.stream.synthetic.Payload;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.*;

/**
 * A hostile third process scribbling on the control area (simulated by a third mapping): the consumer and
 * the producer only ever throw {@link StreamCorruptionException}, never read or hand out memory outside the
 * data area, and count what they refused. (Recovering the stream's progress after arbitrary garbage, e.g. a
 * sequence word set far ahead, is issue 4's hostile-peer work: here the stream may stall, never crash.)
 */
@Timeout(120)
class StreamCorruptionTest {
    private final TestRoot root = new TestRoot();

    @AfterEach
    void cleanUp() throws Exception {
        root.close();
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
