package io.dsipanama.rtu.admission;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

/** Rate/deadline monotonic: Liu-Layland bound, hyperbolic bound, exact response-time analysis. */
class FixedPriorityTest {
    private static List<Long> responses(CpuVerdict v) {
        return v.tasks().stream().map(TaskVerdict::responseNs).toList();
    }

    /**
     * The classic RM set {(1,4),(2,6),(3,12)}: U = 1/4 + 1/3 + 1/4 = 5/6 = 0.833.
     * Liu-Layland for n = 3 is 3(2^(1/3) - 1) = 0.780: rejected. Hyperbolic: 5/4 * 4/3 * 5/4 = 25/12 > 2:
     * rejected. RTA: R1 = 1; R2 = 2 + ceil(3/4) = 3; R3: 6 -> 3+2+2 = 7 -> 3+2+4 = 9 -> 3+3+4 = 10 -> 10,
     * within 12. Exact analysis accepts what both bounds reject.
     */
    @Test
    void exactAnalysisAcceptsWhatBothBoundsReject() {
        List<Task> set = List.of(Task.of(1, 4), Task.of(2, 6), Task.of(3, 12));
        CpuVerdict bound = Admission.analyse(Policy.RM_BOUND, set);
        CpuVerdict hyperbolic = Admission.analyse(Policy.RM_HYPERBOLIC, set);
        CpuVerdict exact = Admission.analyse(Policy.RM_EXACT, set);
        assertEquals(Rational.of(5, 6), exact.utilisation());
        assertFalse(bound.schedulable(), bound.reason());
        assertFalse(hyperbolic.schedulable(), hyperbolic.reason());
        assertTrue(hyperbolic.reason().contains("25/12"), hyperbolic.reason());
        assertTrue(exact.schedulable(), exact.reason());
        assertEquals(List.of(1L, 3L, 10L), responses(exact));
    }

    /**
     * {(1,2),(1,3)}: U = 1/2 + 1/3 = 5/6 > 2(sqrt 2 - 1) = 0.828, so Liu-Layland rejects; the hyperbolic
     * product (3/2)(4/3) is exactly 2, which is accepted (the bound is <=). RTA: R2 = 1 + ceil(2/2) = 2 <= 3.
     */
    @Test
    void hyperbolicAcceptsAtExactlyTwoWhatLiuLaylandRejects() {
        List<Task> set = List.of(Task.of(1, 2), Task.of(1, 3));
        assertFalse(Admission.analyse(Policy.RM_BOUND, set).schedulable());
        CpuVerdict h = Admission.analyse(Policy.RM_HYPERBOLIC, set);
        assertTrue(h.schedulable(), h.reason());
        assertTrue(h.reason().contains("= 2 (2.0000) <= 2"), h.reason());
        assertEquals(List.of(1L, 2L), responses(Admission.analyse(Policy.RM_EXACT, set)));
    }

    /**
     * The Liu-Layland bound for two tasks is 2(sqrt 2 - 1) = 0.82842712...; it is irrational, so sets a
     * millionth either side of it must be told apart exactly: U = 0.828427 passes, U = 0.828428 fails.
     */
    @Test
    void liuLaylandDecidesExactlyNextToTheIrrationalBound() {
        List<Task> below = List.of(Task.of(414_213, 1_000_000), Task.of(414_214, 1_000_000));
        List<Task> above = List.of(Task.of(414_214, 1_000_000), Task.of(414_214, 1_000_000));
        assertTrue(Admission.analyse(Policy.RM_BOUND, below).schedulable());
        assertFalse(Admission.analyse(Policy.RM_BOUND, above).schedulable());
        // One task: the bound is 1, and U = 1 passes. Three tasks: 3/4 <= 0.7798 passes.
        assertTrue(Admission.analyse(Policy.RM_BOUND, List.of(Task.of(5, 5))).schedulable());
        assertTrue(Admission.analyse(Policy.RM_BOUND,
                List.of(Task.of(1, 4), Task.of(1, 5), Task.of(3, 10))).schedulable());
        assertTrue(UtilisationBounds.withinLiuLayland(Rational.of(779_763, 1_000_000), 3));  // 0.7797631...
        assertFalse(UtilisationBounds.withinLiuLayland(Rational.of(779_764, 1_000_000), 3));
    }

    /**
     * {(1,4),(2,6),(3,10)}: R3 iterates 6 -> 7 -> 9 -> 10 -> 10 = D3. A response exactly at its deadline
     * meets it. U = 1/4 + 1/3 + 3/10 = 53/60.
     */
    @Test
    void responseExactlyAtTheDeadlineIsSchedulable() {
        CpuVerdict v = Admission.analyse(Policy.RM_EXACT, List.of(Task.of(1, 4), Task.of(2, 6), Task.of(3, 10)));
        assertTrue(v.schedulable(), v.reason());
        assertEquals(List.of(1L, 3L, 10L), responses(v));
        assertEquals(Rational.of(53, 60), v.utilisation());
    }

    /**
     * Harmonic periods at U exactly 1: {(1,2),(1,4),(1,4)} (the tie between the two (1,4) goes to the first
     * given). R3: 3 -> 1 + 2 + 1 = 4 = D. And {(2,4),(4,8)}: R2: 6 -> 4 + 4 = 8 = D.
     */
    @Test
    void harmonicSetsAtFullUtilisationMeetDeadlinesExactly() {
        CpuVerdict v = Admission.analyse(Policy.RM_EXACT, List.of(Task.of(1, 2), Task.of(1, 4), Task.of(1, 4)));
        assertEquals(Rational.ONE, v.utilisation());
        assertTrue(v.schedulable());
        assertEquals(List.of(1L, 2L, 4L), responses(v));
        CpuVerdict two = Admission.analyse(Policy.RM_EXACT, List.of(Task.of(2, 4), Task.of(4, 8)));
        assertEquals(List.of(2L, 8L), responses(two));
    }

    /**
     * Buttazzo, "Rate monotonic vs. EDF: judgment day" (2005), Fig. 1: tau1 = (2,5), tau2 = (4,7).
     * U = 2/5 + 4/7 = 34/35 < 1, so EDF schedules it; under RM, R2: 6 -> 4 + 2*2 = 8 > 7, a miss.
     * Also {(2,4),(3,6)}: U = 1 exactly, EDF yes; RM R2: 5 -> 3 + 2*2 = 7 > 6.
     */
    @Test
    void rateMonotonicMissesWhatEdfSchedules() {
        List<Task> judgmentDay = List.of(Task.of(2, 5), Task.of(4, 7));
        CpuVerdict rm = Admission.analyse(Policy.RM_EXACT, judgmentDay);
        assertFalse(rm.schedulable());
        assertEquals(List.of(2L, 8L), responses(rm));
        assertTrue(rm.reason().contains("4ns/7ns (R >= 8ns > D)"), rm.reason());
        CpuVerdict edf = Admission.analyse(Policy.EDF, judgmentDay);
        assertTrue(edf.schedulable());
        assertEquals(Rational.of(34, 35), edf.utilisation());

        List<Task> full = List.of(Task.of(2, 4), Task.of(3, 6));
        assertTrue(Admission.analyse(Policy.EDF, full).schedulable());
        assertEquals(List.of(2L, 7L), responses(Admission.analyse(Policy.RM_EXACT, full)));
    }

    /**
     * Deadline monotonic with D < T: {(1,10,2),(2,5,5)}: tau1 has the shorter deadline and the higher
     * priority although its period is longer. R1 = 1, R2 = 2 + ceil(3/10) = 3. Under rate-monotonic order
     * tau1 would wait for tau2 and respond at 3 > 2.
     */
    @Test
    void prioritiesAreDeadlineMonotonic() {
        CpuVerdict v = Admission.analyse(Policy.RM_EXACT, List.of(Task.of(1, 10, 2), Task.of(2, 5)));
        assertTrue(v.schedulable(), v.reason());
        assertEquals(List.of(1L, 3L), responses(v));
    }

    /** Bounds on constrained deadlines use C/D: {(1,10,2),(1,10,2)} has U = 0.2 but density 1. */
    @Test
    void boundsUseDensityForConstrainedDeadlines() {
        List<Task> set = List.of(Task.of(1, 10, 2), Task.of(1, 10, 2));
        assertFalse(Admission.analyse(Policy.RM_BOUND, set).schedulable());
        assertFalse(Admission.analyse(Policy.RM_HYPERBOLIC, set).schedulable()); // (3/2)^2 = 9/4 > 2
        assertTrue(Admission.analyse(Policy.RM_EXACT, set).schedulable());    // R = 1, 2
    }

    /** C > D is not an error: the verdict says the task can never meet its deadline. */
    @Test
    void costAboveDeadlineIsReportedNotThrown() {
        for (Policy p : Policy.values()) {
            CpuVerdict v = Admission.analyse(p, List.of(Task.of(1, 10), Task.of(3_000_000, 10_000_000, 2_000_000)));
            assertFalse(v.schedulable(), p.toString());
            assertTrue(v.reason().contains("task 3ms/10ms/2ms has C > D and can never meet its deadline"), v.reason());
        }
    }
}
