package io.dsipanama.rtu.port;

import io.dsipanama.ffm.ChildJvm;
import io.dsipanama.rtu.Backend;
import io.dsipanama.rtu.RtScheduler;
import io.dsipanama.rtu.SchedulerContext;
import io.dsipanama.rtu.registry.AdmissionException;
import io.dsipanama.rtu.registry.ReserveCounter;
import io.dsipanama.rtu.registry.TestRegistries;
import io.dsipanama.stream.synthetic.Payload;

import org.HdrHistogram.Histogram;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * connect across two JVMs: the source port in a child process, the sink here, the same handler code as in
 * {@link ConnectTest}, a DSI stream underneath (created by the source's side, opened by the sink's), the
 * sink's upcall fired by the stream's waiter. Every payload is verified, in order, nothing lost.
 */
class CrossProcessConnectTest {
    private static final long MS = 1_000_000L;
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final int COUNT = 300;
    private static final int LENGTH = 4096;
    private final Path registry = TestRegistries.freshPath();
    private final Path root = PortTesting.freshStreamRoot();

    @BeforeAll
    static void privileges() {
        PortTesting.assumeFifo();
        Payload.verify(java.lang.foreign.MemorySegment.ofArray(new byte[64]), 0, 64, 0); // build the pattern now
    }

    @AfterEach
    void removeFiles() {
        TestRegistries.delete(registry);
        PortTesting.deleteRoot(root);
    }

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void aSourceInAnotherProcessFeedsTheSameSinkCodeThroughAStream() throws Exception {
        QoS qos = new QoS(4 * MS, 2 * MS, 10 * MS);
        PortApp.Verifier verifier = new PortApp.Verifier(LENGTH);
        RtPort sink = RtPort.sink("xsnk", 500_000, verifier);
        try (RtScheduler s = RtScheduler.start(new SchedulerContext().backend(Backend.FIFO).requireRealTime(true)
                .registryPath(registry));
             ChildJvm child = ChildJvm.start(PortSourceChild.class, registry.toString(), root.toString(), "xsnk",
                     "" + qos.periodNs(), "" + qos.jitterNs(), "" + qos.delayNs(), "" + COUNT, "" + LENGTH)) {
            RtPorts ports = new RtPorts(s, PortTesting.directory(root));
            try (Connection c = ports.connect(RtPort.remote("xsrc"), sink, qos)) { // waits for the child's stream
                assertTrue(c.crossProcess());
                assertEquals("rtport.xsrc.xsnk", c.streamName());
                long share = (qos.delayNs() - RtPorts.DEFAULT_CROSS_PROCESS_ALLOWANCE_NS) / 2;
                assertEquals(Math.min(share, qos.periodNs()), c.deadlineNs(1), "min((delay - allowance) / 2, period)");
                String connected = child.expect("connected", TIMEOUT);
                assertTrue(connected.contains("deadline=" + Math.min(Math.min(share, qos.periodNs()), qos.jitterNs())), "the source's side split "
                        + "the delay the same way: " + connected);
                String sent = child.expect("sent", TIMEOUT);
                PortTesting.await(() -> verifier.received.get() == COUNT, 30, () -> "every buffer (" + verifier + "; child "
                        + sent + ")");
                Histogram e2e = sink.metrics().endToEnd();
                String summary = verifier + "; end-to-end p50 " + e2e.getValueAtPercentile(50) / 1000 + " us, p99 "
                        + e2e.getValueAtPercentile(99) / 1000 + " us, max " + e2e.getMaxValue() / 1000 + " us (QoS "
                        + qos.delayNs() / 1000 + " us); sink misses " + sink.reserve().counter(ReserveCounter.DEADLINE_MISSES)
                        + "; child: " + sent;
                System.out.println("cross-process connect: " + summary);
                assertTrue(sent.startsWith("sent " + COUNT + " "), summary);
                assertEquals(COUNT, verifier.verified.get(), "every payload verified: " + summary);
                assertEquals(0, verifier.outOfOrder.get(), summary);
                assertEquals(0, verifier.lost.get(), summary);
                assertEquals(0, sink.metrics().revokedCount(), summary);
                assertEquals(COUNT, e2e.getTotalCount(), summary);
                child.send("exit");
                assertEquals(0, child.waitFor(TIMEOUT), child.transcript());
            }
            assertFalse(Files.exists(root.resolve("rtport.xsrc.xsnk")), "the source's side removed the stream");
            assertEquals(0, s.registry().active().size(), "both processes gave their reserves back");
        }
    }

    /** The sink's side refuses on its own: its deadline from the same split would be below its budget. */
    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void aRemoteConnectionThatCannotBeSplitIsRefusedBeforeAnythingIsOpened() {
        try (RtScheduler s = RtScheduler.start(new SchedulerContext().backend(Backend.FIFO).requireRealTime(true)
                .registryPath(registry))) {
            RtPort sink = RtPort.sink("ysnk", 3 * MS, b -> true);
            RtPorts ports = new RtPorts(s, PortTesting.directory(root)).openTimeout(Duration.ofMillis(100));
            assertThrows(AdmissionException.class, () -> ports.connect(RtPort.remote("ysrc"), sink, new QoS(4 * MS, MS, 5 * MS)));
            assertEquals(0, s.registry().active().size());
            assertEquals(null, sink.reserve());
        }
    }
}
