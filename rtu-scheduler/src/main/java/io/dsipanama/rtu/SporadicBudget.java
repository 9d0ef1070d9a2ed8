package io.dsipanama.rtu;

/**
 * The budget of a reactive upcall, policed like a sporadic server (Sprunt, Sha and Lehoczky 1989, in the
 * simplified POSIX form): the capacity starts at the budget; CPU time a job uses is taken from it and given
 * back one period after that job's release. So in any window of one period the upcall consumes at most its
 * budget (plus the overrun of a single job, which the enforcer bounds under {@link OverrunPolicy#DEMOTE}),
 * however many events arrive: a flood cannot starve other reserves. Admission treats the upcall as a
 * periodic task with the same budget and period, the classic result for sporadic servers.
 *
 * <p>Replenishments wait in a fixed ring (no allocation); when it is full the newest is merged into the
 * last one, which only delays a replenishment, never brings one forward.
 *
 * <p><b>Threading.</b> Owned by one virtual processor.
 */
final class SporadicBudget {
    private static final int RING = 32;

    private final long[] atNs = new long[RING];
    private final long[] amountNs = new long[RING];
    private int head;
    private int count;
    private long capacityNs;
    private long positiveSinceNs = Long.MIN_VALUE;

    SporadicBudget(long budgetNs) {
        this.capacityNs = budgetNs;
    }

    /** What may still be used now (can be negative after an overrun, until replenished). */
    long capacityNs() {
        return capacityNs;
    }

    /** Applies every replenishment due at or before {@code nowNs}. */
    void replenish(long nowNs) {
        while (count > 0 && atNs[head] - nowNs <= 0) {
            boolean wasExhausted = capacityNs <= 0;
            capacityNs += amountNs[head];
            if (wasExhausted && capacityNs > 0) {
                positiveSinceNs = atNs[head];
            }
            head = (head + 1) % RING;
            count--;
        }
    }

    /**
     * When the capacity last became positive after being exhausted (a replenishment's time), or
     * {@link Long#MIN_VALUE}. A job released on that capacity counts as released then, not earlier: dating it
     * back to when its events arrived would bring its own replenishment forward and let the server exceed its
     * budget.
     */
    long positiveSinceNs() {
        return positiveSinceNs;
    }

    /** When the next replenishment is due, or {@link Long#MAX_VALUE} when none is pending. */
    long nextReplenishmentNs() {
        return count == 0 ? Long.MAX_VALUE : atNs[head];
    }

    /** Takes {@code usedNs} now and schedules its return at {@code returnAtNs} (release + period). */
    void consume(long usedNs, long returnAtNs) {
        if (usedNs <= 0) {
            return;
        }
        capacityNs -= usedNs;
        if (count == RING) {
            int last = (head + count - 1) % RING;
            amountNs[last] += usedNs;
            atNs[last] = Math.max(atNs[last], returnAtNs);
            return;
        }
        int tail = (head + count) % RING;
        atNs[tail] = returnAtNs;
        amountNs[tail] = usedNs;
        count++;
    }

    /** A budget change (a modified reserve) moves the capacity by the difference. */
    void adjust(long deltaNs) {
        capacityNs += deltaNs;
    }
}
