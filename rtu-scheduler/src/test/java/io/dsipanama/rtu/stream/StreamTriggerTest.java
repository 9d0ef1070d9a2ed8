package io.dsipanama.rtu.stream;

import io.dsipanama.ffm.ChildJvm;
import io.dsipanama.ffm.Time;
import io.dsipanama.rtu.Backend;
import io.dsipanama.rtu.Reserve;
import io.dsipanama.rtu.ReserveSpec;
import io.dsipanama.rtu.RtScheduler;
import io.dsipanama.rtu.SchedulerContext;
import io.dsipanama.rtu.metrics.ReserveHistograms;
import io.dsipanama.rtu.port.PortTesting;
import io.dsipanama.rtu.registry.ReserveCounter;
import io.dsipanama.rtu.registry.TestRegistries;
import io.dsipanama.stream.Packet;
import io.dsipanama.stream.StreamConsumer;
import io.dsipanama.stream.StreamSpec;
import io.dsipanama.stream.synthetic.Payload;

import org.HdrHistogram.Histogram;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A reactive upcall fed by a DSI stream whose producer is another JVM: the stream's waiter thread fires
 * the trigger, the upcall drains the stream in place. Every payload is verified; the commit-to-upcall and
 * trigger-to-upcall latencies are measured; after a warm-up no job misses its deadline, and the waiter
 * sleeps between packets (its wake-ups are bounded by packets plus time-outs: it never spins).
 */
class StreamTriggerTest {
    private static final long MS = 1_000_000L;
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final int COUNT = 300;
    private static final int WARM_UP = 30;
    private static final int LENGTH = 2048;
    private final Path registry = TestRegistries.freshPath();
    private final Path root = PortTesting.freshStreamRoot();

    @BeforeAll
    static void privileges() {
        PortTesting.assumeFifo();
        // the pattern (1 MiB) is built on first use: not in the first upcall
        Payload.verify(java.lang.foreign.MemorySegment.ofArray(new byte[64]), 0, 64, 0);
    }

    @AfterEach
    void removeFiles() {
        TestRegistries.delete(registry);
        PortTesting.deleteRoot(root);
    }

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void aReactiveUpcallFedByAStreamRunsWithinItsDeadline() throws Exception {
        try (RtScheduler s = RtScheduler.start(new SchedulerContext().backend(Backend.FIFO).requireRealTime(true)
                .registryPath(registry));
             ChildJvm producer = ChildJvm.start(StreamProducerChild.class, root.toString(), "feed")) {
            producer.expect("ready", TIMEOUT);
            try (StreamConsumer consumer = StreamConsumer.open(PortTesting.directory(root), "feed")) {
                StreamSpec spec = consumer.spec();
                Reserve r = s.admit(ReserveSpec.of(MS, 5 * MS).withDeadlineNs(2 * MS).withName("stream-fed"));
                AtomicLong received = new AtomicLong();
                AtomicLong verified = new AtomicLong();
                AtomicLong outOfOrder = new AtomicLong();
                Histogram commitToStart = ReserveHistograms.newHistogram();
                Histogram fireToStart = ReserveHistograms.newHistogram();
                StreamTrigger trigger = new StreamTrigger(consumer);
                long[] expected = {0};
                r.startReactive(trigger, 0, ctx -> {
                    long startNs = Time.monotonicNs();
                    for (Packet k; (k = consumer.poll()) != null; ) {
                        long n = received.get();
                        if (n >= WARM_UP) {
                            commitToStart.recordValue(Math.max(0, startNs - spec.toMonotonicNs(k.virtualTime())));
                        }
                        if (k.position() != expected[0]) {
                            outOfOrder.incrementAndGet();
                        }
                        expected[0] = k.position() + 1;
                        if (Payload.sequence(k.buffer(), k.offset(), k.length()) == k.position()
                                && Payload.verify(k.buffer(), k.offset(), k.length(), k.virtualTime()) && k.isStillValid()) {
                            verified.incrementAndGet();
                        }
                        k.release();
                        received.set(n + 1);
                    }
                    if (received.get() > WARM_UP) {
                        fireToStart.recordValue(Math.max(0, startNs - ctx.releaseNs()));
                    }
                });
                long startedNs = Time.monotonicNs();
                producer.send("go " + COUNT + " " + 5 * MS + " " + LENGTH);
                PortTesting.await(() -> received.get() >= WARM_UP, 30, "warm-up packets");
                long missesAfterWarmUp = r.counter(ReserveCounter.DEADLINE_MISSES);
                String done = producer.expect("done", TIMEOUT);
                PortTesting.await(() -> received.get() == COUNT, 30, () -> "every packet (" + received.get() + " received, "
                        + trigger.fired() + " fired, " + r.counter(ReserveCounter.RELEASES) + " jobs, last error " + r.lastError()
                        + ", producer said " + done + ")");
                long elapsedNs = Time.monotonicNs() - startedNs;
                r.stop(); // detaches the trigger: its waiter thread has ended when this returns
                String summary = received.get() + " packets, " + verified.get() + " verified, " + r.counter(ReserveCounter.RELEASES)
                        + " jobs; commit-to-upcall p50 " + commitToStart.getValueAtPercentile(50) / 1000 + " us, p99 "
                        + commitToStart.getValueAtPercentile(99) / 1000 + " us, max " + commitToStart.getMaxValue() / 1000
                        + " us; trigger-to-upcall p99 " + fireToStart.getValueAtPercentile(99) / 1000 + " us, max "
                        + fireToStart.getMaxValue() / 1000 + " us; deadline misses " + r.counter(ReserveCounter.DEADLINE_MISSES)
                        + " (" + missesAfterWarmUp + " in warm-up); waiter wake-ups " + trigger.wakeups() + " for "
                        + trigger.fired() + " events; producer " + done;
                System.out.println("stream trigger: " + summary);
                assertTrue(done.contains("refused=0"), summary);
                assertEquals(COUNT, verified.get(), summary);
                assertEquals(0, outOfOrder.get(), summary);
                assertEquals(COUNT, trigger.fired(), summary);
                assertEquals(COUNT, r.counter(ReserveCounter.EVENTS), summary);
                assertEquals(missesAfterWarmUp, r.counter(ReserveCounter.DEADLINE_MISSES), "no miss after warm-up: " + summary);
                long slices = elapsedNs / StreamTrigger.WAIT_SLICE.toNanos() + 2;
                assertTrue(trigger.wakeups() <= COUNT + slices, "the waiter sleeps between packets: " + summary);
                producer.send("exit");
                assertEquals(0, producer.waitFor(TIMEOUT));
            }
        }
    }
}
