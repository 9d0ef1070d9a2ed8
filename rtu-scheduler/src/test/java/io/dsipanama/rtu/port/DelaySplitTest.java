package io.dsipanama.rtu.port;

import io.dsipanama.rtu.registry.AdmissionException;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The delay rule, worked by hand: equal shares, capped by the period and (for the source) the jitter. */
class DelaySplitTest {
    private static final long MS = 1_000_000L;

    @Test
    void equalSharesCappedByPeriodAndJitter() {
        // 12 ms over 3 stages: 4 ms each; the period (10 ms) does not bind; the source's jitter (3 ms) does
        assertArrayEquals(new long[] {3 * MS, 4 * MS, 4 * MS},
                DelaySplit.deadlinesNs(new QoS(10 * MS, 3 * MS, 12 * MS), new long[] {MS, MS, MS}, 0, 0));
        // 30 ms over 2 stages would be 15 ms each: a reserve's deadline is at most its period (10 ms)
        assertArrayEquals(new long[] {10 * MS, 10 * MS},
                DelaySplit.deadlinesNs(new QoS(10 * MS, 20 * MS, 30 * MS), new long[] {MS, MS}, 0, 0));
        // one cross-process link: 10 ms - 0.5 ms, halved
        assertArrayEquals(new long[] {4_750_000, 4_750_000},
                DelaySplit.deadlinesNs(new QoS(10 * MS, 10 * MS, 10 * MS), new long[] {MS, 0}, 1, 500_000));
    }

    @Test
    void theSumStaysWithinTheDelay() {
        QoS qos = new QoS(7 * MS, 5 * MS, 20 * MS + 1);
        long[] d = DelaySplit.deadlinesNs(qos, new long[] {MS, MS, MS, MS}, 1, 300_000);
        long sum = 300_000;
        for (long x : d) {
            sum += x;
        }
        assertTrue(sum <= qos.delayNs(), "sum " + sum);
    }

    @Test
    void aShareBelowABudgetIsRefused() {
        assertThrows(AdmissionException.class,
                () -> DelaySplit.deadlinesNs(new QoS(10 * MS, 10 * MS, 6 * MS), new long[] {MS, 4 * MS}, 0, 0));
        // the source's jitter below its budget
        assertThrows(AdmissionException.class,
                () -> DelaySplit.deadlinesNs(new QoS(10 * MS, MS / 2, 10 * MS), new long[] {MS, MS}, 0, 0));
        // the allowance eats the delay
        assertThrows(AdmissionException.class,
                () -> DelaySplit.deadlinesNs(new QoS(10 * MS, MS, MS), new long[] {1, 1}, 1, MS));
        assertThrows(IllegalArgumentException.class, () -> new QoS(MS, 0, MS));
    }
}
