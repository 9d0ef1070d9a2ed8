package io.dsipanama.rtu.admission;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

/**
 * Every analysis against {@link ScheduleSimulator} on a few thousand small random task sets (fixed seed):
 * the exact tests must agree with the simulated synchronous schedule, and the sufficient bounds must never
 * accept what the exact test rejects.
 */
class SimulationConformanceTest {
    private static final long[] PERIODS = {2, 3, 4, 5, 6, 8, 10, 12};
    private static final int SETS = 3_000;

    private static List<Task> randomSet(SplittableRandom random) {
        int n = random.nextInt(1, 5);
        List<Task> set = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            long t = PERIODS[random.nextInt(PERIODS.length)];
            long d = random.nextBoolean() ? t : random.nextLong(1, t + 1);
            long c = random.nextLong(1, Math.min(t, d + 1) + 1); // now and then C = D + 1
            set.add(Task.of(c, t, d));
        }
        return set;
    }

    @Test
    void edfAgreesWithSimulationAndFindsTheFirstViolation() {
        SplittableRandom random = new SplittableRandom(20_090_901);
        int unschedulable = 0;
        int byDemandAlone = 0;
        for (int s = 0; s < SETS; s++) {
            List<Task> set = randomSet(random);
            CpuVerdict v = Admission.analyse(Policy.EDF, set);
            if (!v.schedulable() && v.utilisation().compareTo(Rational.ONE) <= 0) {
                byDemandAlone++;
            }
            boolean missed = ScheduleSimulator.run(set, true, null).missed();
            assertEquals(!missed, v.schedulable(), () -> set + ": " + v.reason());
            if (!v.schedulable()) {
                unschedulable++;
                long hyper = set.stream().mapToLong(Task::periodNs).reduce(1, ScheduleSimulator::lcm);
                long first = ScheduleSimulator.firstDemandViolation(set, 4 * hyper);
                assertEquals(first, v.firstViolation().tNs(), () -> set + ": " + v.reason());
                assertEquals(DemandAnalysis.demand(set, first), v.firstViolation().demandNs());
                assertTrue(v.firstViolation().earliest());
            }
        }
        assertTrue(unschedulable > SETS / 10 && unschedulable < SETS * 9 / 10, "a mix: " + unschedulable);
        assertTrue(byDemandAlone > SETS / 20, "refused by demand with U <= 1: " + byDemandAlone);
    }

    @Test
    void responseTimesAgreeWithSimulation() {
        SplittableRandom random = new SplittableRandom(19_860_101);
        for (int s = 0; s < SETS; s++) {
            List<Task> set = randomSet(random);
            CpuVerdict v = Admission.analyse(Policy.RM_EXACT, set);
            int[] rank = ScheduleSimulator.deadlineMonotonicRank(set);
            ScheduleSimulator.Outcome sim = ScheduleSimulator.run(set, false, rank);
            assertEquals(!sim.missed(), v.schedulable(), () -> set + ": " + v.reason());
            for (TaskVerdict t : v.tasks()) {
                long completed = sim.firstCompletion()[t.index()];
                if (t.responseNs() <= t.task().deadlineNs()) {
                    assertEquals(completed, t.responseNs(), () -> set + " task " + t.index());
                } else if (completed >= 0) {
                    // a miss: the reported iterate is a lower bound on the first job's completion
                    assertTrue(completed >= t.responseNs() && completed > t.task().deadlineNs(), () -> set + "");
                }
            }
        }
    }

    @Test
    void boundsAreSufficientAndOrdered() {
        SplittableRandom random = new SplittableRandom(19_730_101);
        int hyperbolicOnly = 0;
        for (int s = 0; s < SETS; s++) {
            List<Task> set = randomSet(random);
            boolean ll = Admission.analyse(Policy.RM_BOUND, set).schedulable();
            boolean hb = Admission.analyse(Policy.RM_HYPERBOLIC, set).schedulable();
            boolean exact = Admission.analyse(Policy.RM_EXACT, set).schedulable();
            boolean edf = Admission.analyse(Policy.EDF, set).schedulable();
            assertTrue(!ll || hb, () -> "Liu-Layland accepts, hyperbolic rejects: " + set);
            assertTrue(!hb || exact, () -> "hyperbolic accepts, exact rejects: " + set);
            assertTrue(!exact || edf, () -> "fixed priority schedules what EDF cannot: " + set);
            if (hb && !ll) {
                hyperbolicOnly++;
            }
        }
        assertTrue(hyperbolicOnly > 0, "the random sets include some only the hyperbolic bound accepts");
    }
}
