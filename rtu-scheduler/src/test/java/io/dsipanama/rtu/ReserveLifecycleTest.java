package io.dsipanama.rtu;

import io.dsipanama.ffm.Errno;
import io.dsipanama.rtu.metrics.MetricsReader;
import io.dsipanama.rtu.registry.AdmissionException;
import io.dsipanama.rtu.registry.ReserveCounter;
import io.dsipanama.rtu.registry.ReserveId;
import io.dsipanama.rtu.registry.TestRegistries;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static io.dsipanama.rtu.EnforcementTest.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** A reserve's life: changed at run time subject to admission, its metrics read from the files, given back. */
class ReserveLifecycleTest {
    private static final long MS = 1_000_000L;
    private final Path registry = TestRegistries.freshPath();

    @AfterEach
    void removeFiles() {
        TestRegistries.delete(registry);
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aReserveChangesAtRunTimeOnlyWhenAdmissionAllowsItAndTheUpcallFollows() throws Exception {
        try (RtScheduler s = RtScheduler.start(new SchedulerContext().registryPath(registry).cpus(0))) {
            Reserve a = s.admit(ReserveSpec.of(2 * MS, 20 * MS).withName("a"));
            Reserve b = s.admit(ReserveSpec.of(10 * MS, 20 * MS).withName("b"));
            int aPriority = a.priority();
            assertTrue(b.priority() < aPriority || s.registry().config().policy() == io.dsipanama.rtu.admission.Policy.EDF);
            a.startPeriodic(ctx -> Burn.cpuNs(100_000));
            await(() -> a.counter(ReserveCounter.RELEASES) >= 5, 10);

            AdmissionException refused = assertThrows(AdmissionException.class,
                    () -> a.modify(ReserveSpec.of(11 * MS, 20 * MS).withName("a")));
            assertTrue(refused.getMessage().contains("cannot become"), refused.getMessage());
            assertEquals(2 * MS, a.spec().budgetNs(), "a refused change leaves the reserve as it was");

            long before = a.counter(ReserveCounter.RELEASES);
            long t0 = System.nanoTime();
            Thread.sleep(400);
            double ratePerSecondBefore = (a.counter(ReserveCounter.RELEASES) - before) / ((System.nanoTime() - t0) / 1e9);

            a.modify(ReserveSpec.of(MS, 5 * MS).withName("a")); // U 0.2, shorter period: admitted
            Thread.sleep(50);
            before = a.counter(ReserveCounter.RELEASES);
            t0 = System.nanoTime();
            Thread.sleep(400);
            double ratePerSecondAfter = (a.counter(ReserveCounter.RELEASES) - before) / ((System.nanoTime() - t0) / 1e9);
            a.stop();
            assertTrue(ratePerSecondBefore > 35 && ratePerSecondBefore < 65, "about 50 releases/s: " + ratePerSecondBefore);
            assertTrue(ratePerSecondAfter > 150 && ratePerSecondAfter < 250, "about 200 releases/s: " + ratePerSecondAfter);
            assertEquals(5 * MS, s.registry().active().stream().filter(i -> i.id().equals(a.id())).findFirst()
                    .orElseThrow().task().periodNs(), "the registry holds the new reservation");
            assertEquals(0, a.counter(ReserveCounter.DEADLINE_MISSES));
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void metricsAreReadableFromTheSharedFilesAndGoneWithTheReserve() throws Exception {
        RtScheduler s = RtScheduler.start(new SchedulerContext().registryPath(registry).publishIntervalMs(20));
        try {
            Reserve r = s.admit(ReserveSpec.of(MS, 5 * MS).withName("metered"));
            ReserveId id = r.id();
            r.startPeriodic(ctx -> Burn.cpuNs(200_000));
            await(() -> r.counter(ReserveCounter.RELEASES) >= 100, 20);
            r.stop();
            s.publishMetrics();
            long releases = r.counter(ReserveCounter.RELEASES);
            try (MetricsReader m = MetricsReader.open(s.metricsPath())) {
                MetricsReader.Snapshot snap = m.find(id);
                assertEquals(releases, snap.jitter().getTotalCount());
                assertEquals(releases, snap.response().getTotalCount());
                assertTrue(snap.response().getValueAtPercentile(50) >= 200_000, "a job takes at least its CPU time");
                assertTrue(snap.jitter().getValueAtPercentile(50) < 5 * MS);
                assertEquals(s.realTime(), m.realTime());
                assertEquals(s.backend().id(), m.backend());
                assertEquals(ProcessHandle.current().pid(), m.owner().pid());
            }
            var info = s.registry().active().stream().filter(i -> i.id().equals(id)).findFirst().orElseThrow();
            assertEquals("metered", info.name());
            assertEquals(releases, info.counter(ReserveCounter.RELEASES));
            assertEquals(releases, info.counter(ReserveCounter.BUDGET_PERIODS));
            assertEquals(releases * MS, info.counter(ReserveCounter.BUDGET_GRANTED_NS));
            long used = info.counter(ReserveCounter.CPU_USED_NS);
            assertTrue(used >= releases * 200_000 && used < releases * MS, "CPU used vs budget: " + used);

            r.close();
            assertTrue(s.registry().active().stream().noneMatch(i -> i.id().equals(id)), "given back to the registry");
            try (MetricsReader m = MetricsReader.open(s.metricsPath())) {
                assertEquals(null, m.find(id), "its metrics slot is free again");
            }
            Path metrics = s.metricsPath();
            s.close();
            assertFalse(Files.exists(metrics), "the metrics file goes with the scheduler");
        } finally {
            s.close();
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void underSchedDeadlineTheKernelsAdmissionIsTheSecondGate() throws Exception {
        RealTime.assumeDeadline();
        try (RtScheduler s = RtScheduler.start(new SchedulerContext().backend(Backend.DEADLINE).requireRealTime(true)
                .registryPath(registry))) {
            assumeTrue(s.cpus().cardinality() >= 2, "needs two CPUs");
            // 96 % of a CPU each (9.5 ms + 0.1 ms overhead per 10 ms): the registry's per-CPU EDF test takes one per
            // CPU, but the kernel's root domain allows 95 % of 2 CPUs minus its fair servers in total
            Reserve first;
            try {
                first = s.admit(ReserveSpec.of(9_500_000, 10 * MS).onCpus(0));
            } catch (AdmissionException e) {
                assumeTrue(false, "the kernel has no room even for one (other SCHED_DEADLINE users?): " + e.getMessage());
                return;
            }
            AdmissionException e = assertThrows(AdmissionException.class,
                    () -> s.admit(ReserveSpec.of(9_500_000, 10 * MS).onCpus(1)));
            assertTrue(e.getMessage().contains("kernel") && e.getMessage().contains(Errno.name(Errno.EBUSY)), e.getMessage());
            assertEquals(1, s.registry().active().size(), "the refused reserve was given back to the registry");
            first.close();
            // room again, once the kernel has taken the bandwidth back: it does so at the reservation's 0-lag time
            // (at most one deadline after it left SCHED_DEADLINE), not at once
            long deadline = System.nanoTime() + 2_000_000_000L;
            Reserve second = null;
            while (second == null) {
                try {
                    second = s.admit(ReserveSpec.of(9_500_000, 10 * MS).onCpus(1));
                } catch (AdmissionException again) {
                    if (System.nanoTime() - deadline > 0) {
                        System.out.println(s.report());
                        try (var tasks = Files.list(Path.of("/proc/self/task"))) {
                            tasks.forEach(t -> {
                                try {
                                    String comm = Files.readString(t.resolve("comm")).trim();
                                    if (comm.startsWith("dsi-")) {
                                        System.out.println(comm + " " + io.dsipanama.ffm.Sched.getattr(Integer.parseInt(t.getFileName().toString())));
                                    }
                                } catch (Exception x) {
                                    System.out.println(x);
                                }
                            });
                        }
                        throw again;
                    }
                    Thread.sleep(5);
                }
            }
            second.close();
        }
    }
}
