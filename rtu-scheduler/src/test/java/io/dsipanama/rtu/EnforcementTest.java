package io.dsipanama.rtu;

import io.dsipanama.rtu.registry.ReserveCounter;
import io.dsipanama.rtu.registry.TestRegistries;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Budget enforcement on SCHED_FIFO, with two reserves on CPU 0, each on its own virtual processor:
 * "greedy" (1 ms every 5 ms, due in 2 ms: the higher priority) and "victim" (2 ms every 20 ms, due in
 * 4 ms; response-time analysis gives it 3 ms). The victim's job uses 1 ms of CPU.
 */
class EnforcementTest {
    private static final long MS = 1_000_000L;
    private final Path registry = TestRegistries.freshPath();

    @BeforeAll
    static void warmUp() {
        RealTime.assumeFifo();
        Burn.cpuNs(MS); // load and link what the upcalls use before any of them runs on a real-time thread
    }

    @AfterEach
    void removeFiles() {
        TestRegistries.delete(registry);
        assertTrue(Thread.getAllStackTraces().keySet().stream().noneMatch(t -> t.getName().startsWith("dsi-vp-")),
                "a virtual processor outlived its scheduler");
    }

    private RtScheduler scheduler() {
        return RtScheduler.start(new SchedulerContext().backend(Backend.FIFO).requireRealTime(true)
                .registryPath(registry).virtualProcessorsPerCpu(2));
    }

    private static ReserveSpec greedy(OverrunPolicy policy) {
        return new ReserveSpec("greedy", MS, 5 * MS, 2 * MS, new java.util.BitSet(), policy).onCpus(0);
    }

    private static ReserveSpec victim() {
        return new ReserveSpec("victim", 2 * MS, 20 * MS, 4 * MS, new java.util.BitSet(), OverrunPolicy.DEMOTE).onCpus(0);
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void anOverrunningUpcallIsDemotedAndTakesNoTimeFromAnotherReservedUpcall() throws Exception {
        try (RtScheduler s = scheduler()) {
            Reserve greedy = s.admit(greedy(OverrunPolicy.DEMOTE));
            Reserve victim = s.admit(victim());
            assertTrue(greedy.priority() > victim.priority(), "greedy must outrank the victim for this test to mean anything");
            assertTrue(greedy.vpIndex() != victim.vpIndex(), "each on its own virtual processor");
            greedy.startPeriodic(ctx -> Burn.cpuNs(20 * MS)); // 20 times its budget, every job
            victim.startPeriodic(ctx -> Burn.cpuNs(MS));
            await(() -> victim.counter(ReserveCounter.RELEASES) >= 100, 30);
            greedy.stop();
            victim.stop();

            String summary = "victim: " + victim.counter(ReserveCounter.RELEASES) + " jobs, "
                    + victim.counter(ReserveCounter.DEADLINE_MISSES) + " misses, response p99 "
                    + victim.histograms.response().getValueAtPercentile(99) / 1000 + " us; greedy: "
                    + greedy.counter(ReserveCounter.OVERRUNS) + " overruns, " + greedy.counter(ReserveCounter.DEMOTIONS)
                    + " demotions, enforcer " + s.enforcerDemotions() + ", " + greedy.counter(ReserveCounter.COMPLETIONS)
                    + " jobs completed";
            System.out.println(summary);
            assertEquals(0, victim.counter(ReserveCounter.DEADLINE_MISSES), summary);
            assertEquals(0, victim.counter(ReserveCounter.OVERRUNS), summary);
            assertTrue(greedy.counter(ReserveCounter.OVERRUNS) >= 1 && greedy.counter(ReserveCounter.DEMOTIONS) >= 1, summary);
            assertTrue(s.enforcerDemotions() >= greedy.counter(ReserveCounter.COMPLETIONS), "every greedy job was demoted "
                    + "by the enforcer while it ran: " + summary);
            // leftover capacity goes to background work: the demoted jobs still completed
            assertTrue(greedy.counter(ReserveCounter.COMPLETIONS) >= 5, summary);
            assertTrue(greedy.counter(ReserveCounter.CPU_USED_NS) >= 5 * 20 * MS, summary);
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void withoutDemotionTheSameOverrunMakesTheVictimMissItsDeadlines() throws Exception {
        // the control experiment: NOTIFY leaves the greedy job at its priority; 4.5 ms of every 5 ms
        try (RtScheduler s = scheduler()) {
            AtomicLong notified = new AtomicLong();
            Reserve greedy = s.admit(greedy(OverrunPolicy.NOTIFY))
                    .onOverrun((r, usedNs, budgetNs) -> notified.incrementAndGet());
            Reserve victim = s.admit(victim());
            greedy.startPeriodic(ctx -> Burn.cpuNs(4_500_000));
            victim.startPeriodic(ctx -> Burn.cpuNs(MS));
            await(() -> victim.counter(ReserveCounter.RELEASES) >= 20, 30);
            greedy.stop();
            victim.stop();
            String summary = "victim misses " + victim.counter(ReserveCounter.DEADLINE_MISSES) + " of "
                    + victim.counter(ReserveCounter.RELEASES) + "; greedy overruns " + greedy.counter(ReserveCounter.OVERRUNS)
                    + ", notified " + notified.get() + ", enforcer demotions " + s.enforcerDemotions();
            System.out.println(summary);
            assertTrue(victim.counter(ReserveCounter.DEADLINE_MISSES) >= 5, summary);
            assertEquals(greedy.counter(ReserveCounter.OVERRUNS), notified.get(), summary);
            assertEquals(0, greedy.counter(ReserveCounter.DEMOTIONS), summary);
            assertEquals(0, s.enforcerDemotions(), summary);
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void skipDropsTheReleaseAfterEachOverrun() throws Exception {
        try (RtScheduler s = scheduler()) {
            Reserve r = s.admit(new ReserveSpec("skipper", MS, 10 * MS, 10 * MS, new java.util.BitSet(), OverrunPolicy.SKIP));
            r.startPeriodic(ctx -> Burn.cpuNs(2 * MS));
            await(() -> r.counter(ReserveCounter.SKIPPED_RELEASES) >= 20, 30);
            r.stop();
            long overruns = r.counter(ReserveCounter.OVERRUNS);
            long skipped = r.counter(ReserveCounter.SKIPPED_RELEASES);
            long jobs = r.counter(ReserveCounter.RELEASES);
            long periods = r.counter(ReserveCounter.BUDGET_PERIODS);
            String summary = jobs + " jobs, " + overruns + " overruns, " + skipped + " skipped, " + periods + " periods";
            assertTrue(skipped == overruns || skipped == overruns - 1, "one skip per overrun: " + summary);
            assertEquals(periods, jobs + skipped, "every period either ran a job or skipped it: " + summary);
            assertEquals(0, r.counter(ReserveCounter.DEMOTIONS), summary);
            assertEquals(0, s.enforcerDemotions(), summary);
            // CPU used against budget: 2 ms of work per job against 1 ms granted per period
            long used = r.counter(ReserveCounter.CPU_USED_NS);
            long granted = r.counter(ReserveCounter.BUDGET_GRANTED_NS);
            assertEquals(periods * MS, granted, summary);
            assertTrue(used >= jobs * 2 * MS && used < jobs * 3 * MS, "used " + used + ": " + summary);
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void notifyRunsTheOverrunHandlerWithWhatWasUsed() throws Exception {
        try (RtScheduler s = scheduler()) {
            AtomicLong usedSeen = new AtomicLong();
            AtomicLong budgetSeen = new AtomicLong();
            Reserve r = s.admit(new ReserveSpec("notifier", MS, 10 * MS, 10 * MS, new java.util.BitSet(), OverrunPolicy.NOTIFY))
                    .onOverrun((reserve, usedNs, budgetNs) -> {
                        usedSeen.set(usedNs);
                        budgetSeen.set(budgetNs);
                    });
            AtomicLong jobs = new AtomicLong();
            r.startPeriodic(ctx -> Burn.cpuNs(jobs.incrementAndGet() % 2 == 0 ? 3 * MS : 100_000)); // every other job overruns
            await(() -> r.counter(ReserveCounter.OVERRUNS) >= 5, 30);
            r.stop();
            assertEquals(MS, budgetSeen.get());
            assertTrue(usedSeen.get() >= 3 * MS, "used " + usedSeen.get());
            long overruns = r.counter(ReserveCounter.OVERRUNS);
            long releases = r.counter(ReserveCounter.RELEASES);
            assertTrue(overruns >= releases / 2 - 1 && overruns <= releases / 2 + 1, overruns + " of " + releases);
            assertEquals(0, r.counter(ReserveCounter.SKIPPED_RELEASES));
            assertEquals(0, r.counter(ReserveCounter.DEMOTIONS));
        }
    }

    static void await(BooleanSupplier condition, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("condition not met within " + seconds + " s");
            }
            Thread.sleep(20);
        }
    }
}
