package io.dsipanama.rtu;

import io.dsipanama.ffm.Time;
import io.dsipanama.rtu.registry.ReserveCounter;
import io.dsipanama.rtu.registry.TestRegistries;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static io.dsipanama.rtu.EnforcementTest.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reactive upcalls: fed by an eventfd through the reactor, and by a push source through the trigger seam, policed. */
class ReactiveTest {
    private static final long MS = 1_000_000L;
    private final Path registry = TestRegistries.freshPath();

    /** The trigger seam from the source's side, without a file descriptor: what a stream or netio would do. */
    static final class PushSource implements TriggerSource {
        volatile Trigger trigger;

        @Override
        public void attach(Trigger t, Reactor reactor) {
            trigger = t;
        }

        @Override
        public void detach() {
            trigger = null;
        }
    }

    @BeforeAll
    static void warmUp() {
        RealTime.assumeFifo();
        Burn.cpuNs(MS);
    }

    @AfterEach
    void removeFiles() {
        TestRegistries.delete(registry);
    }

    private RtScheduler scheduler() {
        return RtScheduler.start(new SchedulerContext().backend(Backend.FIFO).requireRealTime(true).registryPath(registry));
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void anEventfdWakesItsUpcallWithinTheDeadline() throws Exception {
        try (RtScheduler s = scheduler(); EventfdTrigger eventfd = new EventfdTrigger()) {
            Reserve r = s.admit(ReserveSpec.of(MS, 10 * MS).withDeadlineNs(2 * MS).withName("eventfd"));
            AtomicLong events = new AtomicLong();
            AtomicLong worstLatencyNs = new AtomicLong();
            AtomicLong signalledAtNs = new AtomicLong();
            r.onDeadlineMiss((reserve, releaseNs, deadlineNs, completionNs) -> System.out.println("eventfd: MISS, response "
                    + (completionNs - releaseNs) / 1000 + " us, started " + (r.histograms == null ? "" : "") ));
            r.startReactive(eventfd, 0, ctx -> {
                events.addAndGet(ctx.events());
                worstLatencyNs.accumulateAndGet(Time.monotonicNs() - signalledAtNs.get(), Math::max);
                Burn.cpuNs(100_000);
            });
            AtomicLong missesAfterWarmUp = new AtomicLong();
            // the producer is a real-time thread too (SCHED_FIFO 5, below everything of the scheduler), so the
            // signal-to-start time measures the reactor and the virtual processor, not the producer's preemption
            RtTestThread.run("producer", 5, () -> {
                for (int i = 0; i < 60; i++) {
                    if (i == 10) { // the first ten warm up the reactor's and the virtual processor's code paths
                        missesAfterWarmUp.set(r.counter(ReserveCounter.DEADLINE_MISSES));
                        worstLatencyNs.set(0);
                    }
                    signalledAtNs.set(Time.monotonicNs());
                    eventfd.signal(1);
                    long n = i + 1;
                    await(() -> r.counter(ReserveCounter.COMPLETIONS) >= n, 10);
                    Thread.sleep(2);
                }
            });
            signalledAtNs.set(Time.monotonicNs());
            eventfd.signal(3); // three at once: one job sees all three
            await(() -> events.get() == 63, 10);
            r.stop();
            String summary = r.counter(ReserveCounter.RELEASES) + " jobs, worst signal-to-start after warm-up "
                    + worstLatencyNs.get() / 1000 + " us, response max " + r.histograms.response().getMaxValue() / 1000
                    + " us, misses " + r.counter(ReserveCounter.DEADLINE_MISSES) + " (" + missesAfterWarmUp.get() + " in warm-up)";
            System.out.println("eventfd: " + summary);
            assertEquals(61, r.counter(ReserveCounter.RELEASES), summary);
            assertEquals(63, r.counter(ReserveCounter.EVENTS), summary);
            assertEquals(missesAfterWarmUp.get(), r.counter(ReserveCounter.DEADLINE_MISSES), summary);
            assertTrue(worstLatencyNs.get() < 2 * MS, summary);
            assertEquals(0, s.reactor().errors());
        }
    }

    /**
     * Same virtual processor: nothing preempts a flooded job once it runs, so the flooded reserve uses
     * NOTIFY (a demoted job would hold the shared virtual processor at background priority); the policing
     * alone keeps the flood to its budget and inter-arrival time, and each job is short.
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aFloodOnTheSameVirtualProcessorIsPolicedAndDoesNotStarveAPeriodicUpcall() throws Exception {
        try (RtScheduler s = scheduler()) {
            Reserve periodic = s.admit(ReserveSpec.of(MS, 10 * MS).withName("periodic").onCpus(0));
            Reserve flooded = s.admit(ReserveSpec.of(MS, 10 * MS).withName("flooded").onCpus(0)
                    .withOverrun(OverrunPolicy.NOTIFY));
            assertEquals(periodic.vpIndex(), flooded.vpIndex());
            flood(periodic, flooded);
        }
    }

    /** Own virtual processors on one CPU: policing bounds the volume, the enforcer demotes what runs past it. */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aFloodOnItsOwnVirtualProcessorIsPolicedAndDemotedAndDoesNotStarveAPeriodicUpcall() throws Exception {
        try (RtScheduler s = RtScheduler.start(new SchedulerContext().backend(Backend.FIFO).requireRealTime(true)
                .registryPath(registry).virtualProcessorsPerCpu(2))) {
            Reserve periodic = s.admit(ReserveSpec.of(MS, 10 * MS).withName("periodic").onCpus(0));
            Reserve flooded = s.admit(ReserveSpec.of(MS, 10 * MS).withName("flooded").onCpus(0));
            assertTrue(periodic.vpIndex() != flooded.vpIndex());
            assertTrue(periodic.priority() > flooded.priority() || periodic.priority() < flooded.priority(),
                    "distinct priorities");
            flood(periodic, flooded);
            assertTrue(flooded.counter(ReserveCounter.DEMOTIONS) > 0, "the jobs that ran past the budget were demoted");
        }
    }

    private static void flood(Reserve periodic, Reserve flooded) throws Exception {
        PushSource source = new PushSource();
        long minInterArrivalNs = 2 * MS;
        AtomicLong lastStartNs = new AtomicLong(Long.MIN_VALUE);
        AtomicLong tooSoon = new AtomicLong();
        flooded.startReactive(source, minInterArrivalNs, ctx -> {
            long now = Time.monotonicNs();
            if (lastStartNs.get() != Long.MIN_VALUE && ctx.releaseNs() - lastStartNs.get() < minInterArrivalNs) {
                tooSoon.incrementAndGet();
            }
            lastStartNs.set(ctx.releaseNs());
            Burn.cpuNs(400_000);
            assertTrue(now >= ctx.releaseNs());
        });
        long t0 = Time.monotonicNs();
        periodic.onDeadlineMiss((r, releaseNs, deadlineNs, completionNs) -> System.out.println("flood: periodic MISS at +"
                + (releaseNs - t0) / 1000 + " us, response " + (completionNs - releaseNs) / 1000 + " us"));
        periodic.startPeriodic(ctx -> Burn.cpuNs(300_000));
        AtomicBoolean flooding = new AtomicBoolean(true);
        AtomicLong fired = new AtomicLong();
        Thread flood = Thread.ofPlatform().start(() -> {
            while (flooding.get()) {
                Trigger t = source.trigger;
                if (t != null) {
                    t.fire(1);
                    fired.incrementAndGet();
                }
            }
        });
        long startNs = Time.monotonicNs();
        try {
            Thread.sleep(1500);
        } finally {
            flooding.set(false);
            flood.join();
        }
        long elapsedNs = Time.monotonicNs() - startNs;
        flooded.stop();
        periodic.stop();
        long jobs = flooded.counter(ReserveCounter.RELEASES);
        long cpu = flooded.counter(ReserveCounter.CPU_USED_NS);
        long periods = elapsedNs / (10 * MS) + 2;
        String summary = fired.get() + " events fired, " + flooded.counter(ReserveCounter.EVENTS) + " delivered in "
                + jobs + " jobs using " + cpu / 1000 + " us CPU (budget " + periods + " ms over the run), policed "
                + flooded.counter(ReserveCounter.POLICED) + "; periodic misses " + periodic.counter(ReserveCounter.DEADLINE_MISSES);
        System.out.println("flood: " + summary);
        assertEquals(0, periodic.counter(ReserveCounter.DEADLINE_MISSES), summary);
        assertTrue(periodic.counter(ReserveCounter.RELEASES) >= 100, summary);
        assertEquals(0, tooSoon.get(), "releases closer than the minimum inter-arrival time: " + summary);
        // sporadic server: in any window of one period at most the budget, plus the one job that may run past
        // it (demoted by the enforcer, so that part runs in the background)
        long maxJob = flooded.counter(ReserveCounter.MAX_JOB_CPU_NS);
        assertTrue(cpu <= periods * (MS + maxJob), summary);
        assertTrue(jobs <= elapsedNs / minInterArrivalNs + 1, summary);
        assertTrue(jobs >= periods, "the flooded upcall still got its share: " + summary);
        assertTrue(flooded.counter(ReserveCounter.POLICED) > 0, summary);
        assertTrue(fired.get() > 10 * jobs, summary);
    }
}
