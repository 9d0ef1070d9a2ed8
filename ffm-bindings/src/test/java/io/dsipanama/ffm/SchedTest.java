package io.dsipanama.ffm;

import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.BitSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Real scheduling-class changes on dedicated platform threads ({@link RtThread}): every real-time
 * thread here sets its class, reads it back, at most sleeps or waits a bounded time, and restores
 * {@code SCHED_OTHER} in a {@code finally}. None of them spins.
 */
class SchedTest {
    private static final long MS = 1_000_000L;

    @BeforeAll
    static void linkBeforeAnyThreadIsRealTime() {
        // Class initialisation and handle linking happen here, not on a thread with a 1 ms budget.
        Sched.getattr(0);
        Sched.getAffinity(0);
        assertEquals(Sched.SCHED_OTHER, Sched.getattr(0).policy(), "the test JVM itself runs in a real-time class");
    }

    private static void assumePrivileged() {
        assumeTrue(SchedFeatures.hasCapSysNice(), "real-time classes need root or CAP_SYS_NICE");
    }

    @Test
    @Timeout(20)
    void fifoIsSetReadBackFromAnotherThreadAndRestored() throws Exception {
        assumePrivileged();
        AtomicInteger tid = new AtomicInteger();
        CountDownLatch isFifo = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        RtThread rt = RtThread.start("fifo", () -> {
            tid.set(Unistd.gettid());
            try {
                assertEquals(0, Sched.setFifo(tid.get(), 10));
                SchedAttr own = Sched.getattr(0);
                assertEquals(Sched.SCHED_FIFO, own.policy(), own::toString);
                assertEquals(10, own.priority(), own::toString);
                isFifo.countDown();
                assertTrue(release.await(5, TimeUnit.SECONDS), "the test thread did not release us"); // blocks
            } finally {
                assertEquals(0, Sched.setOther(0, 0));
            }
            SchedAttr after = Sched.getattr(0);
            assertEquals(Sched.SCHED_OTHER, after.policy(), after::toString);
            assertEquals(0, after.priority());
        });
        try {
            if (!isFifo.await(5, TimeUnit.SECONDS)) {
                release.countDown();
                rt.join();
                fail("the real-time thread did not reach SCHED_FIFO");
            }
            SchedAttr seen = Sched.getattr(tid.get());
            assertEquals(Sched.SCHED_FIFO, seen.policy(), seen::toString);
            assertEquals(10, seen.priority(), seen::toString);
        } finally {
            release.countDown();
        }
        rt.join();
    }

    @Test
    @Timeout(20)
    void deadlineReservationIsSetReadBackAndRestored() throws Exception {
        assumePrivileged();
        RtThread.run("deadline", () -> {
            try {
                assertEquals(0, Sched.setDeadline(Unistd.gettid(), 1 * MS, 10 * MS, 10 * MS));
                SchedAttr own = Sched.getattr(0);
                assertEquals(Sched.SCHED_DEADLINE, own.policy(), own::toString);
                assertEquals(1 * MS, own.runtimeNs(), own::toString);
                assertEquals(10 * MS, own.deadlineNs(), own::toString);
                assertEquals(10 * MS, own.periodNs(), own::toString);
                Thread.sleep(Duration.ofMillis(1)); // a real-time thread blocks between releases
            } finally {
                assertEquals(0, Sched.setOther(0, 0));
            }
            assertEquals(Sched.SCHED_OTHER, Sched.getattr(0).policy());
        });
    }

    @Test
    @Timeout(20)
    void deadlineWithRuntimeAboveDeadlineIsEinval() throws Exception {
        assumePrivileged();
        RtThread.run("deadline-invalid", () -> {
            try {
                ErrnoException e = assertThrows(ErrnoException.class,
                        () -> Sched.setDeadline(0, 2 * MS, 1 * MS, 10 * MS));
                assertEquals(Errno.EINVAL, e.errno());
                assertEquals("sched_setattr", e.call());
                assertTrue(e.getMessage().contains("SCHED_DEADLINE(runtimeNs=2000000, deadlineNs=1000000"), e.getMessage());
            } finally {
                Sched.setOther(0, 0);
            }
            assertEquals(Sched.SCHED_OTHER, Sched.getattr(0).policy());
        });
    }

    @Test
    @Timeout(20)
    void fifoPriorityZeroIsEinval() throws Exception {
        RtThread.run("fifo-invalid", () -> {
            try {
                assertEquals(Errno.EINVAL, assertThrows(ErrnoException.class, () -> Sched.setFifo(0, 0)).errno());
            } finally {
                Sched.setOther(0, 0);
            }
        });
    }

    @Test
    @Timeout(20)
    void affinityPinsToOneCpuAndIsRestored() throws Exception {
        RtThread.run("affinity", () -> {
            int tid = Unistd.gettid();
            BitSet original = Sched.getAffinity(0);
            assertFalse(original.isEmpty());
            int cpu = original.nextSetBit(0); // CPU 0 unless a cpuset excludes it
            try {
                Sched.setAffinity(tid, cpu);
                assertEquals(cpus(cpu), Sched.getAffinity(0));
                assertEquals(String.valueOf(cpu), allowedListFromProc(tid), "/proc/self/task/" + tid + "/status");
            } finally {
                Sched.setAffinity(0, original);
            }
            assertEquals(original, Sched.getAffinity(tid));
        });
    }

    @Test
    @Timeout(20)
    void deadlineNeedsAnAffinitySpanningTheRootDomain() throws Exception {
        assumePrivileged();
        assumeTrue(Sched.getAffinity(0).cardinality() > 1, "needs more than one CPU");
        RtThread.run("deadline-pinned", () -> {
            BitSet original = Sched.getAffinity(0);
            Sched.setAffinity(0, original.nextSetBit(0));
            int rc = 0;
            try {
                rc = Sched.setDeadline(0, 1 * MS, 10 * MS, 10 * MS);
                assertEquals(-Errno.EPERM, rc, "SCHED_DEADLINE on a pinned thread: even root gets EPERM");
            } finally {
                Sched.setOther(0, 0);
                Sched.setAffinity(0, original);
            }
        });
    }

    @Test
    @Timeout(20)
    void deadlineThreadRefusesANarrowerAffinity() throws Exception {
        assumePrivileged();
        assumeTrue(Sched.getAffinity(0).cardinality() > 1, "needs more than one CPU");
        RtThread.run("deadline-narrow", () -> {
            BitSet original = Sched.getAffinity(0);
            try {
                assertEquals(0, Sched.setDeadline(0, 1 * MS, 10 * MS, 10 * MS));
                ErrnoException e = assertThrows(ErrnoException.class,
                        () -> Sched.setAffinity(0, original.nextSetBit(0)));
                assertEquals(Errno.EBUSY, e.errno(), e.getMessage());
                assertEquals(original, Sched.getAffinity(0));
            } finally {
                Sched.setOther(0, 0);
            }
            assertEquals(Sched.SCHED_OTHER, Sched.getattr(0).policy());
        });
    }

    @Test
    void affinityArgumentsAreChecked() {
        assertThrows(IllegalArgumentException.class, () -> Sched.setAffinity(0, new BitSet()));
        assertThrows(IllegalArgumentException.class, () -> Sched.setAffinity(0, Sched.CPU_SETSIZE));
        assertThrows(IllegalArgumentException.class, () -> Sched.setAffinity(0, -1));
        try (Arena arena = Arena.ofConfined()) {
            // the kernel would write 56 bytes into an 8-byte segment
            assertThrows(IllegalArgumentException.class, () -> Sched.sched_getattr(0, arena.allocate(8), 0));
            assertThrows(IllegalArgumentException.class,
                    () -> Sched.sched_getaffinity(0, Sched.CPU_SET_T.byteSize(), arena.allocate(8)));
        }
    }

    @Test
    void priorityRanges() {
        assertEquals(1, Sched.sched_get_priority_min(Sched.SCHED_FIFO));
        assertEquals(99, Sched.sched_get_priority_max(Sched.SCHED_FIFO));
        assertEquals(99, Sched.sched_get_priority_max(Sched.SCHED_RR));
        assertEquals(0, Sched.sched_get_priority_max(Sched.SCHED_OTHER));
        assertEquals(0, Sched.sched_get_priority_max(Sched.SCHED_DEADLINE));
        ErrnoException e = assertThrows(ErrnoException.class, () -> Sched.sched_get_priority_max(42));
        assertEquals(Errno.EINVAL, e.errno());
        assertTrue(e.getMessage().startsWith("sched_get_priority_max(policy=42)"), e.getMessage());
    }

    @Test
    void yieldAndUnknownThread() {
        Sched.sched_yield();
        // pid_max is at most 2^22, so this thread id cannot exist
        ErrnoException e = assertThrows(ErrnoException.class, () -> Sched.getattr(Integer.MAX_VALUE));
        assertEquals(Errno.ESRCH, e.errno());
    }

    private static BitSet cpus(int... cpus) {
        BitSet set = new BitSet();
        for (int cpu : cpus) {
            set.set(cpu);
        }
        return set;
    }

    private static String allowedListFromProc(int tid) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/task/" + tid + "/status"))) {
            if (line.startsWith("Cpus_allowed_list:")) {
                return line.substring("Cpus_allowed_list:".length()).trim();
            }
        }
        throw new AssertionError("no Cpus_allowed_list in /proc/self/task/" + tid + "/status");
    }
}
