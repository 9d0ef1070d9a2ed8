package io.dsipanama.rtu.registry;

/**
 * Per-reserve counters in the reserve's registry entry ({@link ReserveEntryDescriptor#COUNTERS_OFFSET}),
 * so any process can read a live reserve's accounting. Ids are stable slots. Each is written only by the
 * virtual processor that runs the reserve's upcall (single writer: plain load, opaque store).
 */
public enum ReserveCounter {
    RELEASES(0, "releases", "jobs released (periodic releases and reactive activations that ran)"),
    COMPLETIONS(1, "completions", "jobs that returned (normally or by throwing)"),
    DEADLINE_MISSES(2, "deadline_misses", "jobs that completed after their absolute deadline, plus missed releases"),
    MISSED_RELEASES(3, "missed_releases", "periodic releases that fell entirely behind a late job and never ran"),
    OVERRUNS(4, "overruns", "accounting periods in which CPU used plus charges exceeded the budget"),
    DEMOTIONS(5, "demotions", "times the reserve was sent to background priority (DEMOTE)"),
    SKIPPED_RELEASES(6, "skipped_releases", "releases dropped after an overrun (SKIP)"),
    CPU_USED_NS(7, "cpu_used_ns", "CPU time of the reserve's jobs (CLOCK_THREAD_CPUTIME_ID), ns"),
    CHARGED_IN_NS(8, "charged_in_ns", "CPU time servers charged to this reserve, as the owner drained it, ns"),
    BUDGET_PERIODS(9, "budget_periods", "accounting periods begun (periodic releases, reactive replenishments)"),
    BUDGET_GRANTED_NS(10, "budget_granted_ns", "budget made available over those periods, ns"),
    EVENTS(11, "events", "trigger events delivered to a reactive upcall"),
    POLICED(12, "policed", "times pending events had to wait for the minimum inter-arrival time or budget"),
    UPCALL_ERRORS(13, "upcall_errors", "upcalls (or handlers) that threw"),
    MAX_JOB_CPU_NS(14, "max_job_cpu_ns", "largest CPU time of one job, ns"),
    LAST_COMPLETION_NS(15, "last_completion_ns", "CLOCK_MONOTONIC time the last job completed, ns");

    private final int id;
    private final String label;
    private final String meaning;

    ReserveCounter(int id, String label, String meaning) {
        this.id = id;
        this.label = label;
        this.meaning = meaning;
    }

    public int id() {
        return id;
    }

    public String label() {
        return label;
    }

    public String meaning() {
        return meaning;
    }

    /** Byte offset within an entry. */
    public int offset() {
        return ReserveEntryDescriptor.COUNTERS_OFFSET + id * Long.BYTES;
    }
}
