package io.dsipanama.rtu.port;

import io.dsipanama.rtu.Backend;
import io.dsipanama.rtu.RtScheduler;
import io.dsipanama.rtu.SchedulerContext;
import io.dsipanama.rtu.registry.AdmissionException;
import io.dsipanama.rtu.registry.ReserveCounter;
import io.dsipanama.rtu.registry.TestRegistries;

import org.HdrHistogram.Histogram;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Ports in one process: hand-off by reference, a three-stage pipeline under a delay QoS, refused QoS. */
class ConnectTest {
    private static final long US = 1_000L;
    private static final long MS = 1_000_000L;
    private static final int LENGTH = 1024;
    private final Path registry = TestRegistries.freshPath();
    private final Path root = PortTesting.freshStreamRoot();

    @BeforeAll
    static void privileges() {
        PortTesting.assumeFifo();
    }

    @AfterEach
    void removeFiles() {
        TestRegistries.delete(registry);
        PortTesting.deleteRoot(root);
    }

    private RtScheduler scheduler() {
        return RtScheduler.start(new SchedulerContext().backend(Backend.FIFO).requireRealTime(true).registryPath(registry));
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void inProcessTheSinkGetsTheVeryBufferTheSourceFilled() throws Exception {
        int count = 200;
        AtomicReferenceArray<RtBuffer> filled = new AtomicReferenceArray<>(count);
        long[] filledAddress = new long[count];
        AtomicLong sameBuffer = new AtomicLong();
        RtHandler fill = PortApp.source(LENGTH);
        PortApp.Verifier verifier = new PortApp.Verifier(LENGTH);
        RtPort source = RtPort.source("src", 4096, 300 * US, b -> {
            if (b.sequence() >= count) {
                return false; // enough: the source stays released but sends nothing
            }
            fill.onBuffer(b);
            filledAddress[(int) b.sequence()] = b.address();
            filled.set((int) b.sequence(), b); // release: the sink's get sees the address stored before
            return true;
        });
        RtPort sink = RtPort.sink("snk", 300 * US, b -> {
            int i = (int) b.sequence();
            if (filled.get(i) == b && filledAddress[i] == b.address()) {
                sameBuffer.lazySet(sameBuffer.get() + 1);
            }
            return verifier.onBuffer(b);
        });
        try (RtScheduler s = scheduler()) {
            RtPorts ports = portsOf(s);
            QoS qos = new QoS(2 * MS, MS, 10 * MS);
            try (Connection c = ports.connect(source, sink, qos)) {
                assertFalse(c.crossProcess());
                assertEquals(MS, c.deadlineNs(0), "source: min(delay / 2, period, jitter)");
                assertEquals(2 * MS, c.deadlineNs(1), "sink: min(delay / 2, period)");
                PortTesting.await(() -> verifier.received.get() == count, 30, "every buffer at the sink");
                String summary = verifier + ", same buffer " + sameBuffer.get() + "; source " + source.metrics()
                        + "; sink " + sink.metrics();
                System.out.println("in-process connect: " + summary);
                assertEquals(count, verifier.verified.get(), summary);
                assertEquals(0, verifier.outOfOrder.get(), summary);
                assertEquals(count, sameBuffer.get(), "no copy: the sink saw the source's buffer object and memory: " + summary);
                assertEquals(0, sink.metrics().lostCount());
                assertEquals(count, sink.metrics().endToEnd().getTotalCount());
                assertEquals("snk", s.registry().active().stream().filter(i -> i.id().equals(sink.reserve().id()))
                        .findFirst().orElseThrow().name(), "the port's reserve carries its name");
            }
            assertNull(sink.reserve(), "closing unbinds");
            assertEquals(0, s.registry().active().size(), "closing gave every reserve back");
        }
    }

    /**
     * Three stages in one process: the source writes a payload, the middle stage appends a word in place, the
     * sink checks both. The buffer is the same object and memory at every stage; the end-to-end delay (source
     * release to sink completion) is measured, and its 99th percentile must be within the QoS delay.
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aThreeStagePipelinePassesOneBufferAlongAndMeetsItsEndToEndDelay() throws Exception {
        int count = 500;
        long[] address = new long[count];
        AtomicLong sameAtEveryStage = new AtomicLong();
        AtomicLong transformed = new AtomicLong();
        RtHandler fill = PortApp.source(LENGTH);
        PortApp.Verifier verifier = new PortApp.Verifier(LENGTH);
        RtPort source = RtPort.source("p-src", 4096, 300 * US, b -> {
            if (b.sequence() >= count) {
                return false;
            }
            fill.onBuffer(b);
            address[(int) b.sequence()] = b.address();
            PortTesting.burnCpuNs(50 * US);
            return true;
        });
        RtPort middle = RtPort.stage("p-mid", 300 * US, b -> {
            int i = (int) b.sequence();
            b.segment().set(JAVA_LONG_UNALIGNED, b.offset() + b.length(), b.sequence() * 31 + 7); // in place
            b.length(b.length() + 8);
            if (address[i] == b.address()) {
                sameAtEveryStage.lazySet(sameAtEveryStage.get() + 1);
            }
            PortTesting.burnCpuNs(50 * US);
            return true;
        });
        RtPort sink = RtPort.sink("p-snk", 300 * US, b -> {
            if (b.length() == LENGTH + 8 && b.segment().get(JAVA_LONG_UNALIGNED, b.offset() + LENGTH) == b.sequence() * 31 + 7
                    && address[(int) b.sequence()] == b.address()) {
                transformed.lazySet(transformed.get() + 1);
            }
            PortTesting.burnCpuNs(50 * US);
            return verifier.onBuffer(b);
        });
        QoS qos = new QoS(2 * MS, 2 * MS, 6 * MS);
        try (RtScheduler s = scheduler(); Connection c = portsOf(s).pipeline(qos, source, middle, sink)) {
            for (int i = 0; i < 3; i++) {
                assertEquals(2 * MS, c.deadlineNs(i), "delay / 3 each");
            }
            PortTesting.await(() -> verifier.received.get() == count, 30, () -> "every buffer at the sink (received "
                    + verifier.received.get() + "; " + state(source) + "; " + state(middle) + "; " + state(sink) + ")");
            Histogram e2e = sink.metrics().endToEnd();
            String summary = verifier + ", transformed " + transformed.get() + ", same memory at stage 2 "
                    + sameAtEveryStage.get() + "; end-to-end p50 " + e2e.getValueAtPercentile(50) / 1000 + " us, p99 "
                    + e2e.getValueAtPercentile(99) / 1000 + " us, max " + e2e.getMaxValue() / 1000 + " us (QoS "
                    + qos.delayNs() / 1000 + " us); deadline misses " + misses(source) + "/" + misses(middle) + "/"
                    + misses(sink);
            System.out.println("pipeline: " + summary);
            assertEquals(count, verifier.verified.get(), summary);
            assertEquals(count, transformed.get(), summary);
            assertEquals(count, sameAtEveryStage.get(), summary);
            assertEquals(0, verifier.outOfOrder.get(), summary);
            assertEquals(count, e2e.getTotalCount(), summary);
            assertTrue(e2e.getValueAtPercentile(99) <= qos.delayNs(), "p99 end-to-end within the delay QoS: " + summary);
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void qosThatCannotBeAdmittedIsRefusedAndLeavesNothingBehind() throws Exception {
        RtPort a = RtPort.source("r-a", 64, 9 * MS, PortApp.source(32));
        RtPort b = RtPort.stage("r-b", 9 * MS, buf -> true);
        RtPort c = RtPort.sink("r-c", 9 * MS, buf -> true);
        try (RtScheduler s = scheduler()) {
            RtPorts ports = portsOf(s);
            int cpus = s.cpus().cardinality();
            // the delay cannot be split: 3 stages in 12 ms leave 4 ms each, below the 9 ms budgets
            AdmissionException split = assertThrows(AdmissionException.class,
                    () -> ports.pipeline(new QoS(10 * MS, 10 * MS, 12 * MS), a, b, c));
            assertTrue(split.getMessage().contains("below its CPU budget"), split.getMessage());
            assertEquals(0, s.registry().active().size());
            // the registry refuses: 0.9 of a CPU per stage, one more stage than there are CPUs
            RtPort[] chain = new RtPort[cpus + 1];
            chain[0] = RtPort.source("u-0", 64, 9 * MS, PortApp.source(32));
            for (int i = 1; i < chain.length; i++) {
                chain[i] = i == chain.length - 1 ? RtPort.sink("u-" + i, 9 * MS, buf -> true)
                        : RtPort.stage("u-" + i, 9 * MS, buf -> true);
            }
            QoS heavy = new QoS(10 * MS, 10 * MS, 10 * MS * chain.length);
            assertThrows(AdmissionException.class, () -> ports.pipeline(heavy, chain));
            assertEquals(0, s.registry().active().size(), "the stages admitted before the refusal were given back");
            for (RtPort p : chain) {
                assertNull(p.reserve());
            }
            // nothing is left bound either: the same ports connect at a QoS that fits
            try (Connection ok = ports.connect(a, c, new QoS(20 * MS, 10 * MS, 40 * MS))) {
                assertSame(a, ok.ports().get(0));
                assertEquals(2, s.registry().active().size());
                assertThrows(IllegalStateException.class, () -> ports.connect(a, c, new QoS(20 * MS, 10 * MS, 40 * MS)),
                        "a port belongs to one connection");
                assertEquals(2, s.registry().active().size());
            }
            assertEquals(0, s.registry().active().size());
        }
    }

    /** Where a port stands, for a failure message: its metrics and its reserve's counters. */
    private static String state(RtPort p) {
        StringBuilder b = new StringBuilder(p.name()).append(' ').append(p.metrics());
        if (p.reserve() != null) {
            for (ReserveCounter c : ReserveCounter.values()) {
                long v = p.reserve().counter(c);
                if (v != 0) {
                    b.append(' ').append(c.name().toLowerCase(java.util.Locale.ROOT)).append('=').append(v);
                }
            }
        }
        return b.toString();
    }

    private static long misses(RtPort p) {
        return p.reserve() == null ? -1 : p.reserve().counter(ReserveCounter.DEADLINE_MISSES);
    }

    private RtPorts portsOf(RtScheduler s) {
        return new RtPorts(s, PortTesting.directory(root));
    }
}
