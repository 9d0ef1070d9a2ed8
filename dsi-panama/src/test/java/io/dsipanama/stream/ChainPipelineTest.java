package io.dsipanama.stream;

import io.dsipanama.ffm.ChildJvm;
import io.dsipanama.ffm.support.ProcessIdentity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;

import static io.dsipanama.stream.ChainAreaDescriptor.HOLDER_ALLOCATED;
import static io.dsipanama.stream.ChainAreaDescriptor.HOLDER_FORWARDED;
import static io.dsipanama.stream.ChainAreaDescriptor.HOLDER_FREED;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Memory chaining across three JVMs: source, filter and sink share one data area; the filter forwards by
 * reference; the sink checks every byte, the data-area offset the source wrote into each packet, and the
 * sequence. Afterwards every block is free again (no leak over 10^5 packets).
 */
@Timeout(300)
class ChainPipelineTest {
    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final int PACKETS = 100_000;

    @Test
    void sourceFilterSinkShareOneDataAreaAndEveryByteArrives() throws Exception {
        try (TestRoot root = new TestRoot();
             ChainArea area = ChainArea.create(root.dir, "pipe", ChainSpec.forStreams(ChainPipelineMain.BLOCK,
                     ChainPipelineMain.DESCRIPTORS, ChainPipelineMain.DESCRIPTORS));
             ChildJvm sink = ChildJvm.start(ChainPipelineMain.class, "sink", root.path.toString(), "pipe", "b");
             ChildJvm filter = ChildJvm.start(ChainPipelineMain.class, "filter", root.path.toString(), "pipe", "a", "b");
             ChildJvm source = ChildJvm.start(ChainPipelineMain.class, "source", root.path.toString(), "pipe", "a",
                     Integer.toString(PACKETS))) {
            String[] s = source.expect("source done", WAIT).split(" ");
            String[] f = filter.expect("filter done", WAIT).split(" ");
            String[] k = sink.expect("sink done", WAIT).split(" ");
            long forwardedExpected = PACKETS - PACKETS / 3;
            assertEquals(Long.toString(forwardedExpected), f[3], filter.transcript());
            assertEquals(Long.toString(PACKETS / 3), f[5]);
            assertEquals(Long.toString(forwardedExpected), k[3], sink.transcript());
            assertEquals("0", k[9], sink.transcript()); // no bad packet: bytes, offset, order, no loss, valid
            assertEquals(s[4], k[7], "the sink saw each packet at the data-area offset the source wrote it to");
            for (ChildJvm c : new ChildJvm[]{source, filter, sink}) {
                assertEquals(0, c.waitFor(WAIT), c.transcript());
            }
            assertEquals(0, area.blocksInUse(), "every block is free once every holder released");
            assertEquals(PACKETS, area.counter(HOLDER_ALLOCATED));
            assertEquals(PACKETS, area.counter(HOLDER_FREED));
            assertEquals(forwardedExpected, area.counter(HOLDER_FORWARDED));
        }
    }

    @Test
    void aHolderKilledWithSigkillLeavesNoBlockBehindAfterASweep() throws Exception {
        int published = 10;
        int held = 4;
        try (TestRoot root = new TestRoot();
             ChainArea area = ChainArea.create(root.dir, "pipe", ChainSpec.forStreams(4096, 16, 16));
             ChainHolder me = area.attach();
             StreamProducer source = me.createProducer("a", ChainPipelineMain.spec())) {
            long[] offsets = new long[published];
            for (int seq = 0; seq < published; seq++) {
                Claim c = source.tryClaim(ChainPipelineMain.lengthOf(seq));
                offsets[seq] = c.offset();
                ChainPipelineMain.fill(c.buffer(), c.offset(), seq, c.length());
                c.commit(seq);
            }
            ProcessIdentity dead;
            try (ChildJvm hold = ChildJvm.start(ChainPipelineMain.class, "hold", root.path.toString(), "pipe", "a", "b",
                    Integer.toString(held))) {
                String[] line = hold.expect("holding", WAIT).split(" ");
                assertNotEquals("-1", line[3], "the holder claimed a block");
                assertEquals(published + 1, area.blocksInUse(), "10 packets and one uncommitted claim");
                dead = new ProcessIdentity((int) hold.pid(), ProcessIdentity.startTimeOf((int) hold.pid()));
                hold.process().destroyForcibly(); // SIGKILL
                assertTrue(hold.process().waitFor(60, java.util.concurrent.TimeUnit.SECONDS));
            }
            assertFalse(dead.isAlive());
            assertEquals(published + 1, area.blocksInUse(), "nothing is freed until someone sweeps");
            assertEquals(1, me.sweepDead(), "the dead holder's record");
            assertEquals(published, area.blocksInUse(), "its claim is back; its taken packets are released in 'a'");
            // what it forwarded is still queued in 'b' and intact; what it never took is still in 'a'
            try (StreamConsumer b = me.openConsumer("b")) {
                for (int seq = 0; seq < held; seq++) {
                    Packet k = b.poll();
                    assertNotNull(k);
                    assertEquals(offsets[seq], k.offset());
                    assertEquals(-1, ChainPipelineMain.check(k.buffer(), k.offset(), seq, k.length()));
                    assertTrue(k.isStillValid());
                    assertTrue(k.release());
                }
                assertNull(b.poll());
            }
            try (StreamConsumer a = me.openConsumer("a")) {
                for (int seq = held; seq < published; seq++) {
                    Packet k = a.poll();
                    assertNotNull(k, "packet " + seq);
                    assertEquals(seq, k.virtualTime());
                    assertTrue(k.release());
                }
                assertNull(a.poll());
            }
            assertEquals(0, area.blocksInUse(), "no block of the killed holder is left");
        }
    }
}
