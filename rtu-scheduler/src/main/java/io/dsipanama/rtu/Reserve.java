package io.dsipanama.rtu;

import io.dsipanama.rtu.admission.CpuVerdict;
import io.dsipanama.rtu.metrics.ReserveHistograms;
import io.dsipanama.rtu.registry.AdmissionException;
import io.dsipanama.rtu.registry.ReserveCounter;
import io.dsipanama.rtu.registry.ReserveEntry;
import io.dsipanama.rtu.registry.ReserveId;

import java.util.Objects;

/**
 * An admitted processor capacity reserve of this process, and the upcall that runs on it: a periodic one
 * ({@link #startPeriodic}) or a reactive one ({@link #startReactive}). The reserve is an entry of the
 * host-wide registry from {@link RtScheduler#admit} until {@link #close()}; its counters live there and its
 * histograms in the scheduler's metrics file, both readable from other processes.
 *
 * <p><b>Threading.</b> Any thread may call any method. Parameter changes ({@link #modify}) reach the
 * virtual processor through one volatile snapshot and apply from the next release.
 */
public final class Reserve implements AutoCloseable {
    /** The parameters the virtual processor reads; replaced whole on modification. */
    record Params(long budgetNs, long periodNs, long deadlineNs, OverrunPolicy overrun, long version) {
    }

    private final RtScheduler scheduler;
    private final ReserveId id;
    private final int cpu;
    private final int metricsSlot;
    final VirtualProcessor vp;
    final ReserveHistograms histograms = new ReserveHistograms();
    private final ReserveEntry view;
    private volatile Params params;
    private volatile ReserveSpec spec;
    private volatile DeadlineMissHandler missHandler;
    private volatile OverrunHandler overrunHandler;
    private volatile Throwable lastError;
    private UpcallSlot slot;
    private boolean closed;

    Reserve(RtScheduler scheduler, ReserveSpec spec, ReserveId id, int cpu, int metricsSlot, VirtualProcessor vp) {
        this.scheduler = scheduler;
        this.spec = spec;
        this.id = id;
        this.cpu = cpu;
        this.metricsSlot = metricsSlot;
        this.vp = vp;
        this.view = scheduler.registry().newEntryView().wrap(id.slot());
        this.params = new Params(spec.budgetNs(), spec.periodNs(), spec.deadlineNs(), spec.overrun(), 0);
    }

    /** The index of the virtual processor that runs its upcall (reserves with different ones never share a thread). */
    public int vpIndex() {
        return vp.index;
    }

    /** Its name across processes: give it to a server that should charge this reserve. */
    public ReserveId id() {
        return id;
    }

    /** The CPU admission placed it on. */
    public int cpu() {
        return cpu;
    }

    public ReserveSpec spec() {
        return spec;
    }

    Params params() {
        return params;
    }

    int metricsSlot() {
        return metricsSlot;
    }

    /** Its SCHED_FIFO priority now (deadline-monotonic among every reserve on its CPU), 0 under EDF. */
    public int priority() {
        synchronized (view) {
            return view.opaquePriority();
        }
    }

    /** A counter of this reserve, from its registry entry. */
    public long counter(ReserveCounter counter) {
        synchronized (view) {
            return view.opaqueCounter(counter);
        }
    }

    /** Everything servers have charged to this reserve so far, ns. */
    public long chargedTotalNs() {
        synchronized (view) {
            return view.volatileChargeTotalNs();
        }
    }

    /** The last exception an upcall or handler of this reserve threw, or null. */
    public Throwable lastError() {
        return lastError;
    }

    void recordError(Throwable t) {
        lastError = t;
    }

    public Reserve onDeadlineMiss(DeadlineMissHandler handler) {
        this.missHandler = handler;
        return this;
    }

    public Reserve onOverrun(OverrunHandler handler) {
        this.overrunHandler = handler;
        return this;
    }

    DeadlineMissHandler missHandler() {
        return missHandler;
    }

    OverrunHandler overrunHandler() {
        return overrunHandler;
    }

    /** Runs {@code upcall} every period, the first release as soon as its virtual processor adopts it. */
    public void startPeriodic(Upcall upcall) {
        startPeriodic(upcall, Long.MIN_VALUE);
    }

    /** Runs {@code upcall} at {@code firstReleaseNs + k * period} (CLOCK_MONOTONIC, absolute). */
    public synchronized void startPeriodic(Upcall upcall, long firstReleaseNs) {
        start(Objects.requireNonNull(upcall, "upcall"), null, 0, firstReleaseNs);
    }

    /**
     * Runs {@code upcall} when {@code source} fires, policed like a sporadic server: at least
     * {@code minInterArrivalNs} between releases and at most the budget per period.
     */
    public synchronized void startReactive(TriggerSource source, long minInterArrivalNs, Upcall upcall) {
        if (minInterArrivalNs < 0) {
            throw new IllegalArgumentException("minInterArrivalNs must be >= 0: " + minInterArrivalNs);
        }
        start(Objects.requireNonNull(upcall, "upcall"), Objects.requireNonNull(source, "source"), minInterArrivalNs,
                Long.MIN_VALUE);
    }

    private void start(Upcall upcall, TriggerSource source, long minInterArrivalNs, long firstReleaseNs) {
        if (closed) {
            throw new IllegalStateException("reserve " + id + " is closed");
        }
        if (slot != null) {
            throw new IllegalStateException("reserve " + id + " already runs an upcall");
        }
        ChargeScope scope = new ChargeScope(scheduler.registry().newEntryView(), scheduler.registry().config().capacity());
        UpcallContext context = new UpcallContext(this, scope);
        slot = new UpcallSlot(this, upcall, source, minInterArrivalNs, firstReleaseNs,
                scheduler.registry().newEntryView().wrap(id.slot()), context, vp.doorbell, scheduler.backend());
        if (source != null) {
            source.attach(slot, scheduler.reactor());
        }
        vp.add(slot);
    }

    /** Stops the upcall (the reserve stays admitted); when it returns, the upcall no longer runs. */
    public synchronized void stop() {
        if (slot == null) {
            return;
        }
        if (slot.source != null) {
            slot.source.detach();
        }
        vp.remove(slot);
        slot = null;
    }

    /**
     * Changes the reserve, subject to admission with every other reserve on its CPU (host-wide); the CPU set
     * of {@code newSpec} is ignored (a reserve stays where it was placed). Applies from the next release.
     *
     * @throws AdmissionException when the registry's test (or, for SCHED_DEADLINE, the kernel's) refuses
     */
    public synchronized CpuVerdict modify(ReserveSpec newSpec) {
        if (closed) {
            throw new IllegalStateException("reserve " + id + " is closed");
        }
        CpuVerdict verdict = scheduler.registry().modify(id, newSpec.task());
        ReserveSpec old = spec;
        spec = newSpec;
        int rc = vp.reservesChanged();
        if (rc != 0) {
            spec = old;
            scheduler.registry().modify(id, old.task());
            vp.reservesChanged();
            throw new AdmissionException("the kernel refused the SCHED_DEADLINE reservation for " + newSpec.task()
                    + " ns: " + io.dsipanama.ffm.Errno.name(-rc));
        }
        Params p = params;
        params = new Params(newSpec.budgetNs(), newSpec.periodNs(), newSpec.deadlineNs(), newSpec.overrun(), p.version() + 1);
        return verdict;
    }

    /** Stops the upcall and gives the reserve back to the registry. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        stop();
        closed = true;
        scheduler.removed(this);
    }
}
