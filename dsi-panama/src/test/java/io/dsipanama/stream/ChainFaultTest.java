package io.dsipanama.stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Memory chaining with page-fault notification: a consumer of a chained stream watches the chain's shared data
 * area (its own mapping of it), so a block revoked by {@link ChainHolder#revoke} raises a fault on its next touch,
 * and that fault is reported exactly as for a plain stream's reclaim: the listener with the packet's virtual time,
 * {@code revoked_by_fault}, and the packet invalid.
 */
@Timeout(60)
class ChainFaultTest {
    private static final int BLOCK = 4096;

    @Test
    void aRevokedBlockIsNotifiedToTheConsumerHoldingItByAPageFault() throws Exception {
        StreamSpec spec = StreamSpec.builder().descriptorCount(8).maxPacketBytes(BLOCK).dataBytes(BLOCK)
                .policy(OverflowPolicy.BLOCK).build();
        try (TestRoot root = new TestRoot();
             ChainArea area = ChainArea.create(root.dir, "f", ChainSpec.forStreams(BLOCK, 8));
             ChainHolder source = area.attach();
             StreamProducer producer = source.createProducer("s", spec);
             ChainArea sinkView = ChainArea.open(root.dir, "f"); // the sink's own mapping, as in another process
             ChainHolder sink = sinkView.attach();
             StreamConsumer consumer = sink.openConsumer("s")) {
            assertNotEquals(FaultWatch.Mode.OFF, consumer.faultWatchMode(), consumer.faultWatchCause());
            List<long[]> told = new ArrayList<>();
            consumer.onRevocation((vt, position, faultTimeNs) -> told.add(new long[]{vt, position, faultTimeNs}));
            for (int i = 0; i < 2; i++) {
                Claim c = producer.tryClaim(BLOCK);
                assertNotNull(c);
                c.segment().fill((byte) (7 + i));
                c.commit(100 + i);
            }
            Packet held = consumer.poll();
            assertEquals(7, held.buffer().get(JAVA_BYTE, held.offset()));
            long beforeNs = System.nanoTime();

            assertTrue(source.revoke(held.offset()), "the source takes the block back from every holder");
            assertFalse(held.isStillValid());
            assertEquals(0, held.buffer().get(JAVA_BYTE, held.offset()), "the touch faults; the page reads as zero");
            assertFalse(held.release());

            assertEquals(1, told.size(), "the listener, once");
            assertEquals(100, told.getFirst()[0]);
            assertTrue(told.getFirst()[2] >= beforeNs, "the fault came after the revoke");
            assertEquals(1, consumer.stats().counter(StreamCounter.REVOKED_BY_FAULT));
            assertEquals(0, consumer.stats().counter(StreamCounter.REVOKED_BY_CHECK));

            Packet next = consumer.poll();
            assertEquals(101, next.virtualTime());
            assertEquals(8, next.buffer().get(JAVA_BYTE, next.offset() + BLOCK - 1));
            assertTrue(next.release());
            assertEquals(0, consumer.stats().counter(StreamCounter.REUSE_FAULTS), "an untouched block raises nothing");
        }
    }
}
