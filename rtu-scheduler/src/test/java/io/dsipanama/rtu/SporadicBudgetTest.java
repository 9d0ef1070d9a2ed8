package io.dsipanama.rtu;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The sporadic-server rule on virtual time: what a flood can get out of a budget. */
class SporadicBudgetTest {
    private static final long MS = 1_000_000L;

    @Test
    void aFloodGetsAtMostTheBudgetPlusOneJobInAnyWindowOfOnePeriod() {
        long budget = MS;
        long period = 10 * MS;
        long mit = 2 * MS;
        long job = 400_000;
        SporadicBudget b = new SporadicBudget(budget);
        List<long[]> runs = new ArrayList<>(); // start, end
        long now = 0;
        long last = -mit;
        while (now < 2_000 * MS) { // the flood: an event is always pending
            b.replenish(now);
            long gate = last + mit;
            if (b.capacityNs() <= 0) {
                gate = Math.max(gate, b.nextReplenishmentNs());
            }
            if (now < gate) {
                now = gate;
                continue;
            }
            long release = Math.max(gate, b.positiveSinceNs());
            assertTrue(release <= now, "a release is never dated after the job starts");
            last = release;
            runs.add(new long[] {now, now + job});
            now += job;
            b.consume(job, release + period);
        }
        long maxInWindow = 0;
        for (long windowStart = 0; windowStart < 1_990 * MS; windowStart += 100_000) {
            long used = 0;
            for (long[] r : runs) {
                used += Math.max(0, Math.min(r[1], windowStart + period) - Math.max(r[0], windowStart));
            }
            maxInWindow = Math.max(maxInWindow, used);
        }
        assertTrue(maxInWindow <= budget + job, "used " + maxInWindow + " ns in one period");
        // long run: the rate tends to budget + one overrun per period, never more
        double rate = runs.size() * (double) job / (2_000 * MS);
        assertTrue(rate <= (budget + job) / (double) period + 0.001, "rate " + rate);
        assertTrue(rate >= budget / (double) period, "rate " + rate);
    }

    @Test
    void replenishmentsComeBackOnePeriodAfterTheirRelease() {
        SporadicBudget b = new SporadicBudget(MS);
        b.consume(600_000, 10 * MS);
        b.consume(600_000, 12 * MS);
        assertEquals(-200_000, b.capacityNs());
        assertEquals(10 * MS, b.nextReplenishmentNs());
        b.replenish(9 * MS);
        assertEquals(-200_000, b.capacityNs(), "nothing due yet");
        b.replenish(10 * MS);
        assertEquals(400_000, b.capacityNs());
        assertEquals(10 * MS, b.positiveSinceNs(), "positive again at the first replenishment");
        b.replenish(13 * MS);
        assertEquals(MS, b.capacityNs());
        assertEquals(Long.MAX_VALUE, b.nextReplenishmentNs());
    }

    @Test
    void aFullRingMergesIntoTheLastReplenishmentWithoutBringingItForward() {
        SporadicBudget b = new SporadicBudget(100 * MS);
        for (int i = 0; i < 40; i++) {
            b.consume(MS, (10 + i) * MS);
        }
        assertEquals(60 * MS, b.capacityNs());
        b.replenish(40 * MS);
        assertEquals(60 * MS + 31 * MS, b.capacityNs(), "the first 31 replenishments came back on time");
        b.replenish(49 * MS);
        assertEquals(100 * MS, b.capacityNs(), "the merged ones came back with the last");
    }
}
