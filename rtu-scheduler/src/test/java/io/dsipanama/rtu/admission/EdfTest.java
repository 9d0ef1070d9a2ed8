package io.dsipanama.rtu.admission;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.List;

import org.junit.jupiter.api.Test;

/** EDF: utilisation for D = T, processor demand (QPA) for D < T. */
class EdfTest {
    /** {(1,2),(1,4),(1,4)} and {(2,4),(3,6)}: U exactly 1 with D = T is schedulable by EDF. */
    @Test
    void utilisationExactlyOneIsSchedulable() {
        for (List<Task> set : List.of(List.of(Task.of(1, 2), Task.of(1, 4), Task.of(1, 4)),
                List.of(Task.of(2, 4), Task.of(3, 6)))) {
            CpuVerdict v = Admission.analyse(Policy.EDF, set);
            assertEquals(Rational.ONE, v.utilisation());
            assertTrue(v.schedulable(), v.reason());
            assertNull(v.firstViolation());
        }
    }

    /**
     * Two tasks (1,10,1): U = 1/5, yet both jobs released at 0 are due at 1: h(1) = 2 > 1. The first
     * violated point is t = 1 and both tasks have a deadline there.
     */
    @Test
    void lowUtilisationWithShortDeadlinesIsInfeasible() {
        CpuVerdict v = Admission.analyse(Policy.EDF, List.of(Task.of(1, 10, 1), Task.of(1, 10, 1)));
        assertFalse(v.schedulable());
        assertEquals(Rational.of(1, 5), v.utilisation());
        assertEquals(new DemandPoint(1, 2, true), v.firstViolation());
        assertEquals(v.firstViolation(), v.tasks().get(0).violation());
        assertEquals(v.firstViolation(), v.tasks().get(1).violation());
    }

    /**
     * {(2,6,4),(2,8,5),(3,9,7)}: U = 1/3 + 1/4 + 1/3 = 11/12. Deadlines and demand: h(4) = 2, h(5) = 4,
     * h(7) = 7, h(10) = 9, h(13) = 11, h(16) = 6 + 4 + 6 = 16, exactly t. Busy period: 7 -> 9 -> 11 -> 14 ->
     * 16 -> 16, so L = min(L_b = 16, L_a = (2/3 + 3/4 + 2/3) * 12 = 25) = 16 and h(16) = 16 is the last
     * check: schedulable. Shortening tau3's deadline to 6: h(6) = 2 + 2 + 3 = 7 > 6.
     */
    @Test
    void demandEqualToTimeIsSchedulableAndOneTickLessIsNot() {
        CpuVerdict ok = Admission.analyse(Policy.EDF, List.of(Task.of(2, 6, 4), Task.of(2, 8, 5), Task.of(3, 9, 7)));
        assertTrue(ok.schedulable(), ok.reason());
        assertEquals(Rational.of(11, 12), ok.utilisation());
        assertTrue(ok.reason().contains("L = 16ns"), ok.reason());
        assertEquals(16, DemandAnalysis.demand(ok.tasks().stream().map(TaskVerdict::task).toList(), 16));

        CpuVerdict bad = Admission.analyse(Policy.EDF, List.of(Task.of(2, 6, 4), Task.of(2, 8, 5), Task.of(3, 9, 6)));
        assertFalse(bad.schedulable());
        assertEquals(new DemandPoint(6, 7, true), bad.firstViolation());
        assertNull(bad.tasks().get(0).violation());   // deadlines 4, 10: none at 6
        assertEquals(bad.firstViolation(), bad.tasks().get(2).violation());
    }

    /**
     * U = 1 exactly with D < T: {(2,4,3),(3,6,6)}. The horizon is the busy period, 5 -> 7 -> 10 -> 12 -> 12.
     * h(3) = 2, h(6) = 5, h(7) = 7, h(11) = 9, h(12) = 12: schedulable.
     */
    @Test
    void fullUtilisationWithConstrainedDeadlinesUsesTheBusyPeriod() {
        CpuVerdict v = Admission.analyse(Policy.EDF, List.of(Task.of(2, 4, 3), Task.of(3, 6, 6)));
        assertEquals(Rational.ONE, v.utilisation());
        assertTrue(v.schedulable(), v.reason());
        assertTrue(v.reason().contains("L = 12ns"), v.reason());
    }

    /**
     * U > 1: {(2,4),(3,5)}, U = 11/10. h at the deadlines 4, 5, 8, 10, 12, 15 is 2, 5, 7, 10, 12, 15 (all
     * <= t), then h(16) = 8 + 9 = 17 > 16. The scan bound is sum U_i D_i / (U - 1) = 5 / (1/10) = 50.
     */
    @Test
    void overloadReportsTheFirstViolatedDeadline() {
        CpuVerdict v = Admission.analyse(Policy.EDF, List.of(Task.of(2, 4), Task.of(3, 5)));
        assertFalse(v.schedulable());
        assertEquals(Rational.of(11, 10), v.utilisation());
        assertEquals(new DemandPoint(16, 17, true), v.firstViolation());
        assertTrue(v.reason().contains("first violated deadline: h(16ns) = 17ns > 16ns"), v.reason());
    }

    /**
     * The first violation can lie hundreds of millions of deadlines in: {(1,3,2), (999999990, 1000000007, 10^9)}
     * has U = 4/3 (just under) and h(t) is about t/3 < t until the big job's deadline, h(10^9) = 333333333 + 999999990.
     * The search narrows QPA runs down to it instead of walking the deadlines.
     */
    @Test
    void firstViolationFarAwayIsFoundExactly() {
        CpuVerdict v = Admission.analyse(Policy.EDF,
                List.of(Task.of(1, 3, 2), Task.of(999_999_990, 1_000_000_007, 1_000_000_000)));
        assertEquals(new DemandPoint(1_000_000_000, 1_333_333_323, true), v.firstViolation());
    }

    /**
     * Periods 2^62 - 1 and 2^62 + 1 (co-prime), costs 2^61 each: each utilisation rounds to 0.5 in a double,
     * but exactly U = 2^61 * 2^63 / (2^124 - 1) = 2^124 / (2^124 - 1) > 1. EDF must refuse it. The
     * hyperperiod (about 2^124) does not fit in a long and is never needed.
     */
    @Test
    void hugeCoprimePeriodsAreComparedExactly() {
        long c = 1L << 61;
        List<Task> set = List.of(Task.of(c, (1L << 62) - 1), Task.of(c, (1L << 62) + 1));
        assertEquals(1.0, set.get(0).utilisation().doubleValue() + set.get(1).utilisation().doubleValue());
        CpuVerdict v = Admission.analyse(Policy.EDF, set);
        assertFalse(v.schedulable());
        BigInteger two124 = BigInteger.ONE.shiftLeft(124);
        assertEquals(Rational.of(two124, two124.subtract(BigInteger.ONE)), v.utilisation());
        assertTrue(v.reason().startsWith("U = "), v.reason());

        // Just below 1 with D < T: periods 2^62 + 1 and 2^62 + 3, deadlines shortened by one.
        List<Task> tight = List.of(Task.of(c, (1L << 62) + 1, 1L << 62), Task.of(c, (1L << 62) + 3, (1L << 62) + 2));
        CpuVerdict t = Admission.analyse(Policy.EDF, tight);
        assertTrue(t.utilisation().compareTo(Rational.ONE) < 0);
        // Busy period: 2^62 -> 2^61 + 2^61 = 2^62, so L = 2^62 (L_a is 2^62 + 2) and h(2^62) = 2^61 <= t.
        assertTrue(t.schedulable(), t.reason());
    }

    /** An empty processor admits, and the incremental form adds one reserve at a time. */
    @Test
    void incrementalAdmission() {
        assertTrue(Admission.analyse(Policy.EDF, List.of()).schedulable());
        List<Task> existing = List.of(Task.of(2, 5), Task.of(1, 10));
        CpuVerdict yes = Admission.admit(Policy.EDF, existing, Task.of(4, 8));     // 2/5 + 1/10 + 1/2 = 1
        assertTrue(yes.schedulable());
        assertEquals(3, yes.tasks().size());
        assertEquals(Task.of(4, 8), yes.tasks().get(2).task());
        CpuVerdict no = Admission.admit(Policy.EDF, existing, Task.of(4, 8, 5));   // U = 1, h(5) = 2 + 4 > 5
        assertFalse(no.schedulable());
        assertEquals(new DemandPoint(5, 6, true), no.firstViolation());
        // Changing the (1,10) reserve to (2,10): U = 2/5 + 1/5 + 1/2 = 11/10 with the (4,8) one.
        List<Task> full = List.of(Task.of(2, 5), Task.of(1, 10), Task.of(4, 8));
        assertFalse(Admission.replace(Policy.EDF, full, 1, Task.of(2, 10)).schedulable());
        assertTrue(Admission.replace(Policy.RM_EXACT, full, 2, Task.of(1, 8)).schedulable());
    }
}
