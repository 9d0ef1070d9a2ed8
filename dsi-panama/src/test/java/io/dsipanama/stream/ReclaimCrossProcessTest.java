package io.dsipanama.stream;

import io.dsipanama.ffm.ChildJvm;
import io.dsipanama.ffm.Unistd;
import io.dsipanama.stream.synthetic.ConsumeRun;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Reclaim across two JVMs: a child producer reclaims the oldest unreleased packet every few packets while
 * this JVM consumes, holding each packet a little before reading it (so the producer often takes back the
 * very packet being held). Every packet must be either read intact and valid, or reported revoked; the
 * revocations of held packets must arrive as page faults (userfaultfd), and reclaimed pages must be reused.
 */
@Timeout(120)
class ReclaimCrossProcessTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int PAGE = (int) Unistd.pageSize();
    private final TestRoot root = new TestRoot();

    @AfterEach
    void cleanUp() throws Exception {
        root.close();
    }

    @Test
    void reclaimWhileTheConsumerReadsNeverPassesReclaimedDataAsValid() throws Exception {
        int packets = 1500;
        StreamSpec spec = StreamSpec.builder().descriptorCount(32).maxPacketBytes(4 * PAGE)
                .dataBytes(StreamSizing.dataBytesFor(32, 4 * PAGE)).policy(OverflowPolicy.BLOCK).build();
        StreamProducer.create(root.dir, "s", spec).close();
        try (StreamConsumer c = StreamConsumer.open(root.dir, "s");
             ChildJvm producer = ChildJvm.start(StreamPeerMain.class, "produce", root.path.toString(), "s",
                     "packets=" + packets, "min=" + (2 * PAGE), "max=" + (4 * PAGE), "reclaimEvery=7")) {
            assumeTrue(c.faultWatchMode() != FaultWatch.Mode.OFF, "no userfaultfd here: " + c.faultWatchCause());
            AtomicLong byFault = new AtomicLong();
            AtomicLong byCheck = new AtomicLong();
            c.onRevocation((vt, position, faultTimeNs) -> (faultTimeNs >= 0 ? byFault : byCheck).incrementAndGet());
            producer.expect("attached", WAIT);
            ConsumeRun.Report r = new ConsumeRun(-1, 20_000_000_000L, 200_000, true).run(c, () -> false);
            Map<String, String> sent = StreamPeerMain.parse(producer.expect("report", WAIT));
            System.out.println("reclaim across processes: " + sent + " / " + r);

            assertTrue(r.clean(), () -> "torn or wrong data passed as valid: " + r);
            assertEquals(ConsumeRun.End.PRODUCER_GONE, r.end());
            long reclaimed = Long.parseLong(sent.get("reclaimed"));
            long revoked = Long.parseLong(sent.get("revoked"));
            assertTrue(reclaimed > 100, "the producer reclaimed: " + sent);
            assertEquals(packets, r.received() + r.lostTotal(), "every packet received or reported lost");
            assertEquals(reclaimed, r.lost().get(LossReason.REVOKED), "every reclaimed packet reported REVOKED");
            assertEquals(revoked, r.invalidAfterRead(), "every revoked held packet found invalid");
            assertTrue(revoked > 0, "the producer took back packets the consumer held: " + sent);
            assertEquals(revoked, r.revokedByFault() + r.revokedByCheck());
            assertTrue(r.revokedByFault() > 0, () -> "revocations told by page fault: " + r);
            assertEquals(r.revokedByFault(), byFault.get(), "the listener heard each fault");
            assertEquals(r.revokedByCheck(), byCheck.get());
            assertTrue(Long.parseLong(sent.get("pages")) > 0, "pages were punched");
            if (c.faultWatchMode() == FaultWatch.Mode.MINOR_AND_MISSING) {
                assertTrue(r.reuseFaults() > 0, () -> "reclaimed pages were reused and refaulted once: " + r);
            }
        }
    }
}
