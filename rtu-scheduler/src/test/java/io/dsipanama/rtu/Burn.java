package io.dsipanama.rtu;

import io.dsipanama.ffm.Time;

/** Upcall bodies for tests: use a given amount of CPU time (not wall time), allocation-free. */
final class Burn {
    private Burn() {
    }

    /** Spins until this thread has used {@code cpuNs} more CPU time. */
    static void cpuNs(long cpuNs) {
        long start = Time.clock_gettime(Time.CLOCK_THREAD_CPUTIME_ID);
        while (Time.clock_gettime(Time.CLOCK_THREAD_CPUTIME_ID) - start < cpuNs) {
            Thread.onSpinWait();
        }
    }
}
