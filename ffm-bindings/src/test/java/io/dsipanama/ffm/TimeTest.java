package io.dsipanama.ffm;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TimeTest {
    @Test
    void monotonicIsTheClockOfNanoTimeAndNeverGoesBack() {
        for (int i = 0; i < 1000; i++) {
            long before = System.nanoTime();
            long ours = Time.clock_gettime(Time.CLOCK_MONOTONIC);
            long after = System.nanoTime();
            assertTrue(before <= ours && ours <= after, before + " <= " + ours + " <= " + after);
        }
        long last = Time.monotonicNs();
        for (int i = 0; i < 100_000; i++) {
            long now = Time.monotonicNs();
            assertTrue(now >= last, "went back from " + last + " to " + now);
            last = now;
        }
    }

    @Test
    void theOtherClocksReadSensibly() {
        long beforeMs = System.currentTimeMillis();
        long realtimeNs = Time.clock_gettime(Time.CLOCK_REALTIME);
        long afterMs = System.currentTimeMillis();
        assertTrue(beforeMs * 1_000_000 <= realtimeNs && realtimeNs < (afterMs + 1) * 1_000_000,
                beforeMs + " ms <= " + realtimeNs + " ns <= " + afterMs + " ms");

        long monotonic = Time.clock_gettime(Time.CLOCK_MONOTONIC);
        assertTrue(Time.clock_gettime(Time.CLOCK_BOOTTIME) >= monotonic, "boot time includes suspend, so >= monotonic");
        assertTrue(Time.clock_gettime(Time.CLOCK_MONOTONIC_RAW) > 0);
        long thread = Time.clock_gettime(Time.CLOCK_THREAD_CPUTIME_ID);
        assertTrue(Time.clock_gettime(Time.CLOCK_PROCESS_CPUTIME_ID) >= thread, "the process includes this thread");
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void threadCpuTimeAdvancesUnderABusyLoop() {
        long startCpuNs = Time.clock_gettime(Time.CLOCK_THREAD_CPUTIME_ID);
        long deadlineNs = Time.monotonicNs() + 30_000_000_000L;
        long spins = 0;
        // On a loaded two-core machine CPU time may lag wall time a lot; the deadline only bounds the test.
        while (Time.clock_gettime(Time.CLOCK_THREAD_CPUTIME_ID) - startCpuNs < 20_000_000
                && deadlineNs - Time.monotonicNs() > 0) {
            spins++;
        }
        long usedNs = Time.clock_gettime(Time.CLOCK_THREAD_CPUTIME_ID) - startCpuNs;
        assertTrue(usedNs >= 20_000_000, "20 ms of CPU after " + spins + " spins: " + usedNs + " ns");
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void anotherThreadsCpuClockReadsWhatThatThreadReadsForItself() throws Exception {
        int self = Unistd.gettid();
        long before = Time.clock_gettime(Time.CLOCK_THREAD_CPUTIME_ID);
        long viaId = Time.clock_gettime(Time.threadCpuClockId(self));
        long after = Time.clock_gettime(Time.CLOCK_THREAD_CPUTIME_ID);
        assertTrue(before <= viaId && viaId <= after, before + " <= " + viaId + " <= " + after);

        java.util.concurrent.atomic.AtomicInteger tid = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicLong ownReading = new java.util.concurrent.atomic.AtomicLong();
        java.util.concurrent.CountDownLatch burnt = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
        Thread burner = Thread.ofPlatform().daemon().start(() -> {
            tid.set(Unistd.gettid());
            long start = Time.clock_gettime(Time.CLOCK_THREAD_CPUTIME_ID);
            long stop = Time.monotonicNs() + 30_000_000_000L;
            while (Time.clock_gettime(Time.CLOCK_THREAD_CPUTIME_ID) - start < 20_000_000 && stop - Time.monotonicNs() > 0) {
                Thread.onSpinWait();
            }
            ownReading.set(Time.clock_gettime(Time.CLOCK_THREAD_CPUTIME_ID));
            burnt.countDown();
            try {
                done.await(); // blocked: its CPU clock no longer moves
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertTrue(burnt.await(40, TimeUnit.SECONDS));
        long seen = Time.clock_gettime(Time.threadCpuClockId(tid.get()));
        done.countDown();
        burner.join(10_000);
        assertTrue(ownReading.get() >= 20_000_000, "the burner used " + ownReading.get() + " ns");
        // the burner read its own clock, then did a little more before blocking
        assertTrue(seen >= ownReading.get() && seen - ownReading.get() < 5_000_000,
                "read from outside " + seen + " ns, from inside " + ownReading.get() + " ns");
        assertThrows(IllegalArgumentException.class, () -> Time.threadCpuClockId(0));
    }

    @Test
    void anUnknownClockThrows() {
        ErrnoException e = assertThrows(ErrnoException.class, () -> Time.clock_gettime(12345));
        assertEquals(Errno.EINVAL, e.errno());
        assertEquals("clock_gettime", e.call());
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void anAbsoluteSleepDoesNotWakeBeforeItsDeadline() {
        for (int i = 0; i < 5; i++) {
            long deadlineNs = Time.monotonicNs() + 5_000_000;
            int rc;
            do {
                rc = Time.sleepUntil(deadlineNs);
            } while (rc == -Errno.EINTR);
            assertEquals(0, rc);
            long nowNs = Time.monotonicNs();
            assertTrue(nowNs - deadlineNs >= 0, "woke " + (deadlineNs - nowNs) + " ns early");
        }
        long t0 = Time.monotonicNs();
        assertEquals(0, Time.sleepUntil(t0 - 1_000_000_000L), "a past deadline returns at once");
        assertEquals(0, Time.clock_nanosleep(Time.CLOCK_MONOTONIC, Time.TIMER_ABSTIME, 0));
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void aRelativeSleepLastsAtLeastItsDuration() {
        long t0 = Time.monotonicNs();
        int rc = Time.sleep(10_000_000);
        long elapsedNs = Time.monotonicNs() - t0;
        assertEquals(0, rc);
        assertTrue(elapsedNs >= 10_000_000, "slept " + elapsedNs + " ns");
        assertThrows(IllegalArgumentException.class, () -> Time.sleep(-1));
        assertEquals(Errno.EINVAL, assertThrows(ErrnoException.class,
                () -> Time.clock_nanosleep(12345, 0, 1)).errno());
    }
}
