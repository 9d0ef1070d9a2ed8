package io.dsipanama.rtu.registry;

import io.dsipanama.rtu.admission.Placement;
import io.dsipanama.rtu.admission.Policy;
import io.dsipanama.rtu.admission.Rational;
import io.dsipanama.rtu.admission.Task;

import java.math.BigInteger;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Admission, placement, modification, release, priorities and charging in one process, on a real file. */
class RegistryTest {
    private static final long MS = 1_000_000L;
    private final Path path = TestRegistries.freshPath();

    @AfterEach
    void removeFiles() {
        TestRegistries.delete(path);
    }

    private static ReserveRequest request(long c, long t, long d, int... cpus) {
        BitSet allowed = new BitSet();
        for (int cpu : cpus) {
            allowed.set(cpu);
        }
        return new ReserveRequest(Task.of(c, t, d), allowed, "test", 0, -1);
    }

    private static RegistryConfig edf(int cpus, Placement placement) {
        return new RegistryConfig(16, cpus, Policy.EDF, placement, 80, 2);
    }

    @Test
    void edfFillsEachProcessorToExactlyOneAndRefusesMore() {
        try (ReserveRegistry r = ReserveRegistry.open(path, edf(2, Placement.FFD))) {
            // FFD: the lowest-numbered CPU that admits: 6/10 on 0, then 3/10 still fits on 0, 4/10 goes to 1
            assertEquals(0, r.admit(request(6 * MS, 10 * MS, 10 * MS)).cpu());
            assertEquals(0, r.admit(request(3 * MS, 10 * MS, 10 * MS)).cpu());
            assertEquals(1, r.admit(request(4 * MS, 10 * MS, 10 * MS)).cpu());
            assertEquals(0, r.admit(request(1 * MS, 10 * MS, 10 * MS)).cpu(), "U = 1 exactly on cpu 0 is admitted");
            assertEquals(Rational.ONE, r.utilisation(0));
            assertEquals(1, r.admit(request(6 * MS, 10 * MS, 10 * MS)).cpu());
            AdmissionException e = assertThrows(AdmissionException.class, () -> r.admit(request(1, 10 * MS, 10 * MS)));
            assertTrue(e.getMessage().contains("cpu 0") && e.getMessage().contains("cpu 1"), e.getMessage());
            assertEquals(5, r.counter(RegistryCounter.ADMISSIONS));
            assertEquals(1, r.counter(RegistryCounter.REJECTIONS));
            assertEquals(5, r.active().size());
        }
    }

    @Test
    void worstFitSpreadsAndACpuSetIsHonoured() {
        try (ReserveRegistry r = ReserveRegistry.open(path, edf(2, Placement.WFD))) {
            assertEquals(0, r.admit(request(2 * MS, 10 * MS, 10 * MS)).cpu());
            assertEquals(1, r.admit(request(2 * MS, 10 * MS, 10 * MS)).cpu(), "the less loaded CPU first");
            assertEquals(0, r.admit(request(3 * MS, 10 * MS, 10 * MS)).cpu(), "tie: the lower number");
            assertEquals(1, r.admit(request(1 * MS, 10 * MS, 10 * MS)).cpu());
            assertEquals(0, r.admit(request(1 * MS, 10 * MS, 10 * MS, 0)).cpu(), "only cpu 0 allowed");
            AdmissionException e = assertThrows(AdmissionException.class, () -> r.admit(request(MS, 10 * MS, 10 * MS, 5)));
            assertTrue(e.getMessage().contains("none of the allowed CPUs"), e.getMessage());
        }
    }

    @Test
    void constrainedDeadlinesAreAdmittedByDemandNotUtilisation() {
        try (ReserveRegistry r = ReserveRegistry.open(path, edf(1, Placement.FFD))) {
            r.admit(request(MS, 10 * MS, MS));
            // U = 0.2 in total, but two jobs due 1 ms after a common release need 2 ms
            AdmissionException e = assertThrows(AdmissionException.class, () -> r.admit(request(MS, 10 * MS, MS)));
            assertTrue(e.getMessage().contains("h(1ms)"), e.getMessage());
        }
    }

    @Test
    void aReserveCanBeChangedOnlyWhenAdmissionAllowsIt() {
        try (ReserveRegistry r = ReserveRegistry.open(path, edf(1, Placement.FFD))) {
            ReserveId a = r.admit(request(5 * MS, 10 * MS, 10 * MS)).id();
            r.admit(request(4 * MS, 10 * MS, 10 * MS));
            long generation = r.acquireGeneration();
            assertThrows(AdmissionException.class, () -> r.modify(a, Task.of(7 * MS, 10 * MS)));
            assertEquals(5 * MS, r.active().stream().filter(i -> i.id().equals(a)).findFirst().orElseThrow().task().costNs(),
                    "a refused change leaves the reserve as it was");
            assertEquals(generation, r.acquireGeneration());
            assertTrue(r.modify(a, Task.of(6 * MS, 10 * MS)).schedulable(), "U = 1 exactly");
            assertEquals(6 * MS, r.active().stream().filter(i -> i.id().equals(a)).findFirst().orElseThrow().task().costNs());
            assertTrue(r.acquireGeneration() > generation);
            assertEquals(1, r.counter(RegistryCounter.MODIFICATIONS));
            assertEquals(1, r.counter(RegistryCounter.MODIFICATION_REJECTIONS));
        }
    }

    @Test
    void releaseFreesTheCapacityAndStaleIdsAreRefused() {
        try (ReserveRegistry r = ReserveRegistry.open(path, edf(1, Placement.FFD))) {
            ReserveId a = r.admit(request(10 * MS, 10 * MS, 10 * MS)).id();
            assertThrows(AdmissionException.class, () -> r.admit(request(MS, 10 * MS, 10 * MS)));
            assertTrue(r.release(a));
            assertFalse(r.release(a), "already gone");
            ReserveId b = r.admit(request(MS, 10 * MS, 10 * MS)).id();
            assertEquals(a.slot(), b.slot(), "the slot is reused");
            assertEquals(a.generation() + 1, b.generation(), "with the next generation");
            assertFalse(r.charge(a, 5), "the old id no longer names a reserve");
            assertTrue(r.charge(b, 5));
            assertThrows(IllegalStateException.class, () -> r.modify(a, Task.of(MS, 10 * MS)));
        }
    }

    @Test
    void fixedPriorityReservesGetDeadlineMonotonicPrioritiesThatFollowChanges() {
        RegistryConfig rm = new RegistryConfig(16, 1, Policy.RM_EXACT, Placement.FFD, 80, 78);
        try (ReserveRegistry r = ReserveRegistry.open(path, rm)) {
            ReserveId slow = r.admit(request(MS, 20 * MS, 20 * MS)).id();
            assertEquals(80, priority(r, slow));
            ReserveId fast = r.admit(request(MS, 10 * MS, 5 * MS)).id();
            ReserveId middle = r.admit(request(MS, 10 * MS, 10 * MS)).id();
            assertEquals(List.of(80, 79, 78), List.of(priority(r, fast), priority(r, middle), priority(r, slow)));
            AdmissionException full = assertThrows(AdmissionException.class, () -> r.admit(request(MS, 100 * MS, 100 * MS)));
            assertTrue(full.getMessage().contains("priorities are taken"), full.getMessage());
            r.release(fast);
            assertEquals(List.of(80, 79), List.of(priority(r, middle), priority(r, slow)));
            r.modify(slow, Task.of(MS, 20 * MS, 2 * MS));
            assertEquals(List.of(79, 80), List.of(priority(r, middle), priority(r, slow)), "a shorter deadline moves up");
        }
    }

    @Test
    void chargesAccumulateAndTheOwnerDrainsThem() {
        try (ReserveRegistry r = ReserveRegistry.open(path, edf(1, Placement.FFD))) {
            ReserveId a = r.admit(request(MS, 10 * MS, 10 * MS)).id();
            assertTrue(r.charge(a, 300));
            assertTrue(r.charge(a, 700));
            ReserveEntry e = r.newEntryView().wrap(a.slot());
            assertEquals(1000, e.volatileChargeTotalNs());
            assertEquals(2, e.volatileChargeCount());
            assertEquals(1000, e.drainChargePending());
            assertEquals(0, e.drainChargePending());
            assertEquals(1000, e.volatileChargeTotalNs(), "the total stays");
            assertThrows(IllegalArgumentException.class, () -> r.charge(a, -1));
        }
    }

    @Test
    void aSecondOpenerAdoptsTheCreatorsConfigurationAndSeesItsReserves() {
        try (ReserveRegistry first = ReserveRegistry.open(path, edf(2, Placement.WFD));
             ReserveRegistry second = ReserveRegistry.open(path, new RegistryConfig(4, 1, Policy.RM_BOUND, Placement.FFD, 50, 40))) {
            assertEquals(edf(2, Placement.WFD), second.config());
            first.admit(request(7 * MS, 10 * MS, 10 * MS, 1));
            // two mappings, two open file descriptions: the flock keeps them apart like two processes
            AdmissionException e = assertThrows(AdmissionException.class, () -> second.admit(request(4 * MS, 10 * MS, 10 * MS, 1)));
            assertTrue(e.getMessage().contains("cpu 1"), e.getMessage());
            assertEquals(Rational.of(BigInteger.valueOf(7), BigInteger.TEN), second.utilisation(1));
        }
    }

    private static int priority(ReserveRegistry r, ReserveId id) {
        return r.newEntryView().wrap(id.slot()).opaquePriority();
    }
}
