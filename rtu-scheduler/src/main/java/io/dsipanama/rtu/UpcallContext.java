package io.dsipanama.rtu;

import io.dsipanama.ffm.Time;
import io.dsipanama.rtu.registry.ReserveId;

/**
 * What an upcall learns about the job it runs: the release it answers, its deadline, the events that
 * triggered it, the budget left. One flyweight per upcall, refilled before each job; valid only during the
 * call.
 *
 * <p><b>Threading.</b> Used only on the virtual processor running the upcall.
 */
public final class UpcallContext {
    private final Reserve reserve;
    private final ChargeScope scope;
    private long releaseNs;
    private long deadlineNs;
    private long events;
    private long budgetLeftNs;
    private long startCpuNs;
    private long chargedAwayNs;

    UpcallContext(Reserve reserve, ChargeScope scope) {
        this.reserve = reserve;
        this.scope = scope;
    }

    void prepare(long newReleaseNs, long newDeadlineNs, long newEvents, long newBudgetLeftNs, long newStartCpuNs) {
        releaseNs = newReleaseNs;
        deadlineNs = newDeadlineNs;
        events = newEvents;
        budgetLeftNs = newBudgetLeftNs;
        startCpuNs = newStartCpuNs;
        chargedAwayNs = 0;
    }

    void chargedAway(long ns) {
        chargedAwayNs += ns;
    }

    long chargedAwayNs() {
        return chargedAwayNs;
    }

    public Reserve reserve() {
        return reserve;
    }

    /** The release this job answers, CLOCK_MONOTONIC ns (for a reactive upcall: when policing let it run). */
    public long releaseNs() {
        return releaseNs;
    }

    /** The job's absolute deadline, CLOCK_MONOTONIC ns. */
    public long deadlineNs() {
        return deadlineNs;
    }

    /** Events delivered by the trigger since the last job (0 for a periodic upcall). */
    public long events() {
        return events;
    }

    /** Budget left in the period when the job started (after charges from servers), ns. */
    public long budgetLeftNs() {
        return budgetLeftNs;
    }

    /** CPU time this job has used so far, ns (a system call: CLOCK_THREAD_CPUTIME_ID). */
    public long cpuUsedNs() {
        return Time.clock_gettime(Time.CLOCK_THREAD_CPUTIME_ID) - startCpuNs;
    }

    /**
     * Starts charging the CPU this job spends from now on to {@code client}'s reserve instead of this one,
     * until the scope closes ({@code try (var s = ctx.chargeTo(id)) { ... }}).
     */
    public ChargeScope chargeTo(ReserveId client) {
        return scope.open(client.slot(), client.generation(), this);
    }

    /** {@link #chargeTo(ReserveId)} without making an id object: for servers that get the id as two ints. */
    public ChargeScope chargeTo(int clientSlot, int clientGeneration) {
        return scope.open(clientSlot, clientGeneration, this);
    }
}
