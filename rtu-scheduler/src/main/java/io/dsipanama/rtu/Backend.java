package io.dsipanama.rtu;

/**
 * How virtual processors get the processor from the kernel (the lower half of split-level scheduling).
 */
public enum Backend {
    /** Choose: {@link #FIFO} when this process may use real-time classes, else {@link #FALLBACK}, loudly. */
    AUTO(0, "auto"),
    /**
     * {@code SCHED_FIFO}, one priority per reserve, deadline-monotonic over every reserve on the processor
     * host-wide (assigned by the registry). Virtual processors are pinned to their CPU.
     */
    FIFO(1, "SCHED_FIFO"),
    /**
     * {@code SCHED_DEADLINE}: each virtual processor holds a kernel reservation covering its reserves; the
     * kernel's admission test is a second gate after the registry's EDF test. The kernel refuses
     * SCHED_DEADLINE to a thread whose affinity is narrower than its root domain, so these virtual
     * processors are not pinned. Budgets are enforced by the kernel's CBS: a job that runs past its
     * reservation's runtime (budget plus a small overhead) is throttled until the next period, so under this
     * backend {@link OverrunPolicy#DEMOTE} means "stopped", not "background", for the rest of the period.
     */
    DEADLINE(2, "SCHED_DEADLINE"),
    /**
     * No real-time class: {@code SCHED_OTHER} threads, same accounting, no guarantee. Used only when the
     * process lacks the privileges for a real-time class, and reported (a warning, the scheduler's report,
     * the metrics file, the doctor probe).
     */
    FALLBACK(3, "non-real-time fallback (SCHED_OTHER)");

    private final int id;
    private final String description;

    Backend(int id, String description) {
        this.id = id;
        this.description = description;
    }

    /** The stable number written to shared memory (0 for AUTO, which is never written). */
    public int id() {
        return id;
    }

    public String description() {
        return description;
    }

    public boolean realTime() {
        return this == FIFO || this == DEADLINE;
    }
}
