package io.dsipanama.rtu;

import io.dsipanama.ffm.Feature;
import io.dsipanama.ffm.SchedFeatures;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Probes for the privileges real-time tests need; skips with the probe's reason elsewhere. */
final class RealTime {
    private static Feature fifo;
    private static Feature deadline;

    private RealTime() {
    }

    static synchronized void assumeFifo() {
        if (fifo == null) {
            fifo = SchedFeatures.fifo();
        }
        assumeTrue(fifo.available(), "SCHED_FIFO is not permitted here: " + fifo.detail());
    }

    static synchronized void assumeDeadline() {
        if (deadline == null) {
            deadline = SchedFeatures.deadline();
        }
        assumeTrue(deadline.available(), "SCHED_DEADLINE is not permitted here: " + deadline.detail());
    }

    static void assume(Backend backend) {
        if (backend == Backend.DEADLINE) {
            assumeDeadline();
        } else {
            assumeFifo();
        }
    }
}
