package io.dsipanama.rtu.admission;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

/** First-fit and worst-fit decreasing over several processors. */
class PartitioningTest {
    private static List<Integer> cpus(Verdict v) {
        return v.tasks().stream().map(TaskVerdict::cpu).toList();
    }

    /**
     * EDF, 2 CPUs, utilisations 6/10, 5/10, 4/10, 3/10 (already decreasing). FFD: 0.6 -> 0; 0.5 -> 1 (0 would
     * be 1.1); 0.4 -> 0 (1.0); 0.3 -> 1 (0.8). WFD: 0.6 -> 0; 0.5 -> 1; 0.4 -> 1 (0.5 < 0.6); 0.3 -> 0
     * (0.6 < 0.9). Both succeed, on different CPUs.
     */
    @Test
    void ffdAndWfdPlaceDifferently() {
        List<Task> set = List.of(Task.of(6, 10), Task.of(5, 10), Task.of(4, 10), Task.of(3, 10));
        Verdict ffd = Admission.schedule(Policy.EDF, Placement.FFD, 2, set);
        Verdict wfd = Admission.schedule(Policy.EDF, Placement.WFD, 2, set);
        assertTrue(ffd.schedulable(), ffd.reason());
        assertTrue(wfd.schedulable(), wfd.reason());
        assertEquals(List.of(0, 1, 0, 1), cpus(ffd));
        assertEquals(List.of(0, 1, 1, 0), cpus(wfd));
        assertEquals(Placement.FFD, ffd.placement());
        assertEquals(Rational.of(9, 5), ffd.utilisation());
        assertEquals(Rational.ONE, ffd.processors().get(0).utilisation());
        assertEquals(Rational.of(9, 10), wfd.processors().get(1).utilisation());
    }

    /**
     * EDF, 2 CPUs, {5/10, 4/10, 4/10, 2/10, 5/10}, total 2. Decreasing order: #0, #4, #1, #2, #3.
     * FFD: #0 -> 0, #4 -> 0 (1.0), #1 -> 1, #2 -> 1 (0.8), #3 -> 1 (1.0): every task placed.
     * WFD: #0 -> 0, #4 -> 1, #1 -> 0 (tie: lower CPU), #2 -> 1, #3: both at 0.9, fits nowhere.
     */
    @Test
    void ffdSucceedsWhereWfdFails() {
        List<Task> set = List.of(Task.of(5, 10), Task.of(4, 10), Task.of(4, 10), Task.of(2, 10), Task.of(5, 10));
        Verdict ffd = Admission.schedule(Policy.EDF, Placement.FFD, 2, set);
        Verdict wfd = Admission.schedule(Policy.EDF, Placement.WFD, 2, set);
        assertTrue(ffd.schedulable());
        assertEquals(List.of(0, 1, 1, 1, 0), cpus(ffd));
        assertFalse(wfd.schedulable());
        assertEquals(List.of(0, 0, 1, TaskVerdict.UNPLACED, 1), cpus(wfd));
        assertEquals("1 task(s) fit on no CPU with wfd: 2ns/10ns", wfd.reason());
        assertFalse(wfd.tasks().get(3).hasResponse());
    }

    /**
     * RM exact, 2 CPUs, {(1,2),(1,2),(4,8),(5,12)}; decreasing utilisation keeps input order.
     * FFD: (1,2),(1,2) share CPU 0 (R = 1, 2); (4,8) goes to CPU 1 (on 0: U = 3/2); (5,12) fits on neither:
     * with (4,8) R = 5 + ceil(9/8)*4 = 13 > 12.
     * WFD: (1,2) -> 0, (1,2) -> 1, (4,8) -> 0 with R = 4 + ceil(8/2) = 8 = D, (5,12) -> 1 with
     * R: 6 -> 8 -> 9 -> 10 -> 10 <= 12. Worst fit succeeds where first fit fails.
     */
    @Test
    void wfdSucceedsWhereFfdFails() {
        List<Task> set = List.of(Task.of(1, 2), Task.of(1, 2), Task.of(4, 8), Task.of(5, 12));
        Verdict ffd = Admission.schedule(Policy.RM_EXACT, Placement.FFD, 2, set);
        Verdict wfd = Admission.schedule(Policy.RM_EXACT, Placement.WFD, 2, set);
        assertFalse(ffd.schedulable());
        assertEquals(List.of(0, 0, 1, TaskVerdict.UNPLACED), cpus(ffd));
        assertTrue(wfd.schedulable(), wfd.reason());
        assertEquals(List.of(0, 1, 0, 1), cpus(wfd));
        assertEquals(List.of(1L, 1L, 8L, 10L), wfd.tasks().stream().map(TaskVerdict::responseNs).toList());
    }

    /**
     * EDF, 3 CPUs, {1, 0.6, 0.4, 0.4, 0.3, 0.3}: total exactly 3, so only a perfect packing works. FFD finds
     * it ({1}, {0.6, 0.4}, {0.4, 0.3, 0.3}); WFD balances 0.4 + 0.4 and 0.6 + 0.3 and strands the last 0.3.
     */
    @Test
    void threeProcessorsAtFullUtilisation() {
        List<Task> set = List.of(Task.of(3, 10), Task.of(6, 10), Task.of(10, 10), Task.of(4, 10), Task.of(3, 10),
                Task.of(4, 10));
        Verdict ffd = Admission.schedule(Policy.EDF, Placement.FFD, 3, set);
        assertTrue(ffd.schedulable());
        assertEquals(List.of(2, 1, 0, 1, 2, 2), cpus(ffd));
        Verdict wfd = Admission.schedule(Policy.EDF, Placement.WFD, 3, set);
        assertFalse(wfd.schedulable());
        assertEquals(1, wfd.tasks().stream().filter(t -> t.cpu() == TaskVerdict.UNPLACED).count());
    }

    /** One processor: nothing to place, the whole set is analysed, misses included. */
    @Test
    void oneProcessorAnalysesTheWholeSet() {
        Verdict v = Admission.schedule(Policy.RM_EXACT, Placement.FFD, 1, List.of(Task.of(2, 5), Task.of(4, 7)));
        assertFalse(v.schedulable());
        assertNull(v.placement());
        assertEquals(List.of(0, 0), cpus(v));
        assertEquals(8, v.tasks().get(1).responseNs());
    }

    @Test
    void badArgumentsAreRefusedClearly() {
        assertEquals("cpus must be >= 1, got 0", assertThrows(IllegalArgumentException.class,
                () -> Admission.schedule(Policy.EDF, Placement.FFD, 0, List.of())).getMessage());
        assertEquals("task cost must be > 0 ns, got 0",
                assertThrows(IllegalArgumentException.class, () -> Task.of(0, 10)).getMessage());
        assertEquals("task period must be > 0 ns, got -1",
                assertThrows(IllegalArgumentException.class, () -> Task.of(1, -1)).getMessage());
        assertEquals("task deadline 11 ns exceeds its period 10 ns: only constrained deadlines (D <= T) are analysed",
                assertThrows(IllegalArgumentException.class, () -> Task.of(1, 10, 11)).getMessage());
        assertEquals("unknown placement 'bf'; known: ffd, wfd",
                assertThrows(IllegalArgumentException.class, () -> Placement.fromCliName("bf")).getMessage());
    }
}
