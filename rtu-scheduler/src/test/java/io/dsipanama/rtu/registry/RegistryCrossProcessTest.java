package io.dsipanama.rtu.registry;

import io.dsipanama.ffm.ChildJvm;
import io.dsipanama.ffm.support.ProcessIdentity;
import io.dsipanama.rtu.admission.Placement;
import io.dsipanama.rtu.admission.Policy;
import io.dsipanama.rtu.admission.Rational;
import io.dsipanama.rtu.admission.Task;

import java.nio.file.Path;
import java.time.Duration;
import java.util.BitSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The registry across real processes: host-wide admission under contention, and reclaiming a killed owner's reserves. */
class RegistryCrossProcessTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final long MS = 1_000_000L;
    private final Path path = TestRegistries.freshPath();

    @AfterEach
    void removeFiles() {
        TestRegistries.delete(path);
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void twoProcessesRacingCannotAdmitMoreThanTheHostHolds() throws Exception {
        // 2 CPUs under EDF hold exactly 20 reserves of 1 ms / 10 ms. Each child asks for 25 at once.
        try (ReserveRegistry parent = ReserveRegistry.open(path, new RegistryConfig(64, 2, Policy.EDF, Placement.FFD, 80, 2));
             ChildJvm a = ChildJvm.start(RegistryChild.class, path.toString());
             ChildJvm b = ChildJvm.start(RegistryChild.class, path.toString())) {
            a.expect("ready", TIMEOUT);
            b.expect("ready", TIMEOUT);
            a.send("burst 25 " + MS + " " + 10 * MS);
            b.send("burst 25 " + MS + " " + 10 * MS);
            int admittedA = admitted(a.expect("burst", TIMEOUT));
            int admittedB = admitted(b.expect("burst", TIMEOUT));
            assertEquals(20, admittedA + admittedB, "A admitted " + admittedA + ", B " + admittedB);
            assertEquals(Rational.ONE, parent.utilisation(0));
            assertEquals(Rational.ONE, parent.utilisation(1));
            assertEquals(20, parent.active().size());
            assertThrows(AdmissionException.class, () -> parent.admit(new ReserveRequest(Task.of(1, 10 * MS),
                    new BitSet(), "late", 0, -1)), "nothing is left for a third process either");

            // the parent's view matches what the children own
            long ownedByA = parent.active().stream().filter(r -> r.owner().pid() == a.pid()).count();
            assertEquals(admittedA, ownedByA);
            a.send("exit");
            b.send("exit");
            assertEquals(0, a.waitFor(TIMEOUT));
            assertEquals(0, b.waitFor(TIMEOUT));
        }
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void aKilledProcessesReservesAreReclaimed() throws Exception {
        try (ReserveRegistry parent = ReserveRegistry.open(path, new RegistryConfig(16, 1, Policy.EDF, Placement.FFD, 80, 2));
             ChildJvm child = ChildJvm.start(RegistryChild.class, path.toString())) {
            child.expect("ready", TIMEOUT);
            child.send("admit " + 4 * MS + " " + 10 * MS + " " + 10 * MS);
            ReserveId first = id(child.expect("admitted", TIMEOUT));
            child.send("admit " + 5 * MS + " " + 10 * MS + " " + 10 * MS);
            id(child.expect("admitted", TIMEOUT));
            assertEquals(2, parent.active().size());
            assertEquals(child.pid(), parent.active().get(0).owner().pid());
            assertThrows(AdmissionException.class, () -> parent.admit(new ReserveRequest(Task.of(2 * MS, 10 * MS),
                    new BitSet(), "parent", 0, -1)), "0.9 is taken while the child lives");
            assertTrue(parent.charge(first, 1), "a live reserve can be charged");

            child.process().destroyForcibly(); // SIGKILL: the child releases nothing itself
            child.waitFor(TIMEOUT);
            Admitted mine = parent.admit(new ReserveRequest(Task.of(9 * MS, 10 * MS), new BitSet(), "parent", 0, -1));
            assertEquals(2, parent.counter(RegistryCounter.RECLAIMED));
            assertEquals(1, parent.active().size());
            assertEquals(ProcessIdentity.self(), parent.active().get(0).owner());
            assertEquals(0, mine.cpu());
            assertTrue(!parent.charge(first, 1), "the dead reserve's id is stale");
        }
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void anotherProcessChargesAReserveThroughTheRegistry() throws Exception {
        try (ReserveRegistry parent = ReserveRegistry.open(path, new RegistryConfig(16, 1, Policy.EDF, Placement.FFD, 80, 2));
             ChildJvm child = ChildJvm.start(RegistryChild.class, path.toString())) {
            ReserveId mine = parent.admit(new ReserveRequest(Task.of(MS, 10 * MS), new BitSet(), "client", 0, -1)).id();
            child.expect("ready", TIMEOUT);
            child.send("charge " + mine + " 123456");
            assertEquals("charged true", child.expect("charged", TIMEOUT));
            ReserveEntry e = parent.newEntryView().wrap(mine.slot());
            assertEquals(123456, e.volatileChargeTotalNs());
            assertEquals(123456, e.drainChargePending());
            child.send("charge " + new ReserveId(mine.slot(), mine.generation() + 1) + " 5");
            assertEquals("charged false", child.expect("charged", TIMEOUT));
            child.send("exit");
            assertEquals(0, child.waitFor(TIMEOUT));
        }
    }

    private static int admitted(String line) {
        Matcher m = Pattern.compile("admitted=(\\d+)").matcher(line);
        assertTrue(m.find(), line);
        return Integer.parseInt(m.group(1));
    }

    private static ReserveId id(String line) {
        return ReserveId.parse(line.split(" ")[1]);
    }
}
