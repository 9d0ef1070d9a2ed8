package io.dsipanama.rtu;

import io.dsipanama.ffm.Time;
import io.dsipanama.rtu.registry.ReserveCounter;
import io.dsipanama.rtu.registry.ReserveEntry;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A virtual processor's state for one upcall: when it is released, how much of its budget is left, whether
 * it is demoted or must skip, and (for a reactive upcall) the events waiting and the sporadic-server budget.
 *
 * <p>Periodic: releases at {@code first + k * period}, absolute. A release found more than a whole period
 * late is not run in a burst: the releases that fell behind are counted as missed (and as deadline misses)
 * and only the latest runs. Each release starts an accounting period with the full budget.
 *
 * <p>Reactive: {@link #fire} adds events; a job is released when events are pending, at least the minimum
 * inter-arrival time has passed since the last release, and the sporadic budget has capacity. One job
 * takes every pending event.
 *
 * <p><b>Threading.</b> Everything but {@link #fire} and {@code cancelled} belongs to the virtual processor.
 */
final class UpcallSlot implements Trigger {
    private static final VarHandle PENDING;
    private static final VarHandle FIRST_FIRE_NS;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            PENDING = l.findVarHandle(UpcallSlot.class, "pending", long.class);
            FIRST_FIRE_NS = l.findVarHandle(UpcallSlot.class, "firstFireNs", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final Reserve reserve;
    final Upcall upcall;
    final TriggerSource source;
    final long minInterArrivalNs;
    final long firstReleaseNs;
    final ReserveEntry entry;
    final UpcallContext context;
    private final Doorbell doorbell;
    private final Backend backend;
    volatile boolean cancelled;

    // parameters, the virtual processor's copy
    long budgetNs;
    long periodNs;
    long deadlineNs;
    OverrunPolicy policy;
    int priority;
    private long paramsVersion = -1;
    boolean started;

    // the job
    boolean ready;
    long releaseNs;
    long absDeadlineNs;
    long jobEvents;

    // accounting
    private long nextReleaseNs;
    private long periodEndNs;
    private long usedInPeriodNs;
    boolean overranThisPeriod;
    private boolean skipNext;
    private long demotedUntilNs;
    private final SporadicBudget sporadic;
    private long lastReleaseNs;
    private boolean policedNoted;

    @SuppressWarnings("unused") // PENDING
    private long pending;
    @SuppressWarnings("unused") // FIRST_FIRE_NS
    private long firstFireNs;

    UpcallSlot(Reserve reserve, Upcall upcall, TriggerSource source, long minInterArrivalNs, long firstReleaseNs,
               ReserveEntry entry, UpcallContext context, Doorbell doorbell, Backend backend) {
        this.reserve = reserve;
        this.upcall = upcall;
        this.source = source;
        this.minInterArrivalNs = minInterArrivalNs;
        this.firstReleaseNs = firstReleaseNs;
        this.entry = entry;
        this.context = context;
        this.doorbell = doorbell;
        this.backend = backend;
        this.sporadic = source == null ? null : new SporadicBudget(reserve.params().budgetNs());
    }

    boolean reactive() {
        return source != null;
    }

    /** Virtual processor, when it adopts the slot. */
    void start(long nowNs) {
        refreshParams();
        refreshPriority();
        nextReleaseNs = firstReleaseNs == Long.MIN_VALUE ? nowNs : firstReleaseNs;
        lastReleaseNs = nowNs - minInterArrivalNs;
        demotedUntilNs = nowNs;
        started = true;
    }

    private void refreshParams() {
        Reserve.Params p = reserve.params();
        if (p.version() == paramsVersion) {
            return;
        }
        if (sporadic != null && paramsVersion >= 0) {
            sporadic.adjust(p.budgetNs() - budgetNs);
        }
        budgetNs = p.budgetNs();
        periodNs = p.periodNs();
        deadlineNs = p.deadlineNs();
        policy = p.overrun();
        paramsVersion = p.version();
    }

    /** Virtual processor, when the registry's generation moved: priorities follow other reserves. */
    void refreshPriority() {
        priority = entry.opaquePriority();
    }

    /**
     * Virtual processor: makes the job ready when it is due. Returns the time this slot next needs attention
     * ({@code nowNs} when ready, {@link Long#MAX_VALUE} when only a trigger can make it ready).
     */
    long poll(long nowNs) {
        if (cancelled) {
            return Long.MAX_VALUE;
        }
        if (ready) {
            return nowNs;
        }
        refreshParams();
        return reactive() ? pollReactive(nowNs) : pollPeriodic(nowNs);
    }

    private long pollPeriodic(long nowNs) {
        while (nowNs - nextReleaseNs >= 0) {
            long behind = (nowNs - nextReleaseNs) / periodNs;
            if (behind > 0) {
                entry.addCounter(ReserveCounter.MISSED_RELEASES, behind);
                entry.addCounter(ReserveCounter.DEADLINE_MISSES, behind);
                nextReleaseNs += behind * periodNs;
            }
            long release = nextReleaseNs;
            nextReleaseNs += periodNs;
            beginPeriod(release + periodNs);
            if (skipNext) {
                skipNext = false;
                entry.addCounter(ReserveCounter.SKIPPED_RELEASES, 1);
                continue;
            }
            ready = true;
            releaseNs = release;
            absDeadlineNs = release + deadlineNs;
            jobEvents = 0;
            return nowNs;
        }
        return nextReleaseNs;
    }

    private void beginPeriod(long endNs) {
        periodEndNs = endNs;
        usedInPeriodNs = 0;
        overranThisPeriod = false;
        entry.addCounter(ReserveCounter.BUDGET_PERIODS, 1);
        entry.addCounter(ReserveCounter.BUDGET_GRANTED_NS, budgetNs);
    }

    private long pollReactive(long nowNs) {
        sporadic.replenish(nowNs);
        if (sporadic.capacityNs() > 0) {
            overranThisPeriod = false;
        }
        if ((long) PENDING.getVolatile(this) == 0) {
            return Long.MAX_VALUE; // a fire rings the doorbell
        }
        long gateNs = lastReleaseNs + minInterArrivalNs;
        if (sporadic.capacityNs() <= 0) {
            gateNs = Math.max(gateNs, sporadic.nextReplenishmentNs());
        }
        if (nowNs - gateNs < 0) {
            if (!policedNoted) {
                entry.addCounter(ReserveCounter.POLICED, 1);
                policedNoted = true;
            }
            return gateNs;
        }
        policedNoted = false;
        long fired = (long) FIRST_FIRE_NS.getOpaque(this);
        long events = (long) PENDING.getAndSet(this, 0L);
        long release = Math.max(Math.max(fired, gateNs), sporadic.positiveSinceNs());
        lastReleaseNs = release;
        if (skipNext) {
            // the release is dropped, not its events: they stay pending for the next release (after the
            // inter-arrival gate), or a source that fires only on new data (an in-process hand-off, a stream
            // trigger) would leave what it queued unread until it queues more
            skipNext = false;
            PENDING.getAndAdd(this, events);
            entry.addCounter(ReserveCounter.SKIPPED_RELEASES, 1);
            return nowNs;
        }
        entry.addCounter(ReserveCounter.EVENTS, events);
        ready = true;
        releaseNs = release;
        absDeadlineNs = release + deadlineNs;
        jobEvents = events;
        return nowNs;
    }

    /** Budget left for the next job: the period's rest (periodic) or the sporadic capacity (reactive). */
    long budgetLeftNs() {
        return reactive() ? sporadic.capacityNs() : budgetNs - usedInPeriodNs;
    }

    /** CPU time servers charged to this reserve, taken from its budget now. */
    void absorbCharges(long chargedNs, long nowNs) {
        if (reactive()) {
            sporadic.consume(chargedNs, nowNs + periodNs);
        } else {
            usedInPeriodNs += chargedNs;
        }
    }

    /** Used plus charged in the current accounting period (for the overrun handler). */
    long usedInPeriodNs() {
        return reactive() ? budgetNs - sporadic.capacityNs() : usedInPeriodNs;
    }

    boolean demotedAt(long nowNs) {
        return demotedUntilNs - nowNs > 0;
    }

    /** After a job: takes its CPU time from the budget; true the first time in a period it is exceeded. */
    boolean account(long usedNs) {
        boolean over;
        if (reactive()) {
            sporadic.consume(usedNs, releaseNs + periodNs);
            over = sporadic.capacityNs() < 0;
        } else {
            usedInPeriodNs += usedNs;
            over = usedInPeriodNs > budgetNs;
        }
        return over && markOverrun();
    }

    /** Marks the current period overrun; false when it already was. */
    boolean markOverrun() {
        if (overranThisPeriod) {
            return false;
        }
        overranThisPeriod = true;
        return true;
    }

    /** Applies the overrun policy for the rest of the period (the handler is the caller's). */
    void applyOverrunPolicy() {
        switch (policy) {
            case DEMOTE -> demotedUntilNs = reactive() ? sporadic.nextReplenishmentNs() : periodEndNs;
            case SKIP -> skipNext = true;
            case NOTIFY -> {
            }
        }
    }

    /** The kernel class a job of this upcall runs in. */
    int classKey(boolean demoted) {
        return switch (backend) {
            case FIFO -> demoted ? VpKernel.OTHER : priority;
            case DEADLINE -> demoted ? VpKernel.OTHER : VpKernel.DEADLINE;
            default -> VpKernel.OTHER;
        };
    }

    /** Most urgent first: SCHED_FIFO by priority then deadline; otherwise earliest deadline. */
    boolean moreUrgentThan(UpcallSlot other) {
        if (backend == Backend.FIFO && priority != other.priority) {
            return priority > other.priority;
        }
        return absDeadlineNs - other.absDeadlineNs < 0;
    }

    @Override
    public void fire(long events) {
        if (events < 1) {
            throw new IllegalArgumentException("events must be >= 1: " + events);
        }
        if ((long) PENDING.getVolatile(this) == 0) {
            FIRST_FIRE_NS.setOpaque(this, Time.monotonicNs());
        }
        // Ring only when events appear: while some are pending the virtual processor already knows, and sleeps
        // until policing lets the next job go. Ringing on every event would let a flood wake a real-time
        // thread thousands of times a second for nothing.
        if ((long) PENDING.getAndAdd(this, events) == 0) {
            doorbell.ring();
        }
    }
}
