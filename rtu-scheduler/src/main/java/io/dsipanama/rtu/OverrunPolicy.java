package io.dsipanama.rtu;

/** What happens when a reserve's upcall uses more CPU in a period than its budget (Mercer, §4). */
public enum OverrunPolicy {
    /**
     * The reserve runs at background priority ({@code SCHED_OTHER}) for the rest of its period. A budget
     * enforcer watches the running job's CPU clock and demotes its virtual processor the moment the budget
     * is spent, so an overrunning job cannot take time from other reserved work. Under
     * {@link Backend#DEADLINE} the kernel's CBS stops the job at the reservation's runtime instead (see there).
     */
    DEMOTE(1),
    /** The job runs on; the reserve's next release is dropped to pay the time back. */
    SKIP(2),
    /** The job runs on; the reserve's overrun handler runs after it. */
    NOTIFY(3);

    private final int id;

    OverrunPolicy(int id) {
        this.id = id;
    }

    /** The stable number written to the registry entry's flags. */
    public int id() {
        return id;
    }
}
