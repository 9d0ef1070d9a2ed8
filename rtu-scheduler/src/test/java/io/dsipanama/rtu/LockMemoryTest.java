package io.dsipanama.rtu;

import io.dsipanama.ffm.ChildJvm;
import io.dsipanama.ffm.Feature;
import io.dsipanama.ffm.SchedFeatures;
import io.dsipanama.rtu.registry.TestRegistries;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** mlockall at start when asked, in a child JVM (locking this test JVM would pin all of it). */
class LockMemoryTest {
    private final Path registry = TestRegistries.freshPath();

    @AfterEach
    void removeFiles() {
        TestRegistries.delete(registry);
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void lockMemoryLocksTheProcessAndCloseUnlocksIt() throws Exception {
        Feature memlock = SchedFeatures.memlock();
        assumeTrue(memlock.available(), memlock.detail());
        // a small heap and code cache: mlockall(MCL_CURRENT | MCL_FUTURE) locks every mapping the JVM reserves,
        // and with the default heap (a quarter of RAM) that took over 30 s on a loaded machine
        try (ChildJvm child = ChildJvm.start(List.of("-Xmx64m", "-XX:ReservedCodeCacheSize=32m"),
                LockMemoryChild.class, registry.toString())) {
            String locked = child.expect("locked", Duration.ofSeconds(30));
            String closed = child.expect("closed", Duration.ofSeconds(30));
            assertEquals(0, child.waitFor(Duration.ofSeconds(30)));
            assertTrue(locked.startsWith("locked true"), locked);
            assertTrue(locked.contains("memory locked (mlockall"), locked);
            long kb = Long.parseLong(locked.replaceAll(".*VmLck: (\\d+) kB.*", "$1"));
            assertTrue(kb > 10_000, "at least the JVM's code and heap in use are locked: " + locked);
            assertTrue(closed.contains("VmLck: 0 kB"), "munlockall at close: " + closed);
        }
    }

    @Test
    void theDoctorProbeSaysWhichBackendThisMachineGives() {
        Feature f = BackendProbe.features().get(0);
        assertEquals("rtu_scheduler", f.name());
        boolean fifo = SchedFeatures.fifo().available();
        assertEquals(fifo, f.available(), f.detail());
        assertTrue(f.detail().contains(fifo ? "backend SCHED_FIFO" : "NON-REAL-TIME FALLBACK"), f.detail());
    }
}
