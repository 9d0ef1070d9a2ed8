package io.dsipanama.rtu;

import io.dsipanama.ffm.Errno;
import io.dsipanama.ffm.ErrnoException;
import io.dsipanama.ffm.Mman;
import io.dsipanama.ffm.Sched;
import io.dsipanama.rtu.admission.Policy;
import io.dsipanama.rtu.metrics.MetricsFile;
import io.dsipanama.rtu.metrics.MetricsReader;
import io.dsipanama.rtu.registry.AdmissionException;
import io.dsipanama.rtu.registry.Admitted;
import io.dsipanama.rtu.registry.RegistryConfig;
import io.dsipanama.rtu.registry.ReserveEntryDescriptor;
import io.dsipanama.rtu.registry.ReserveRegistry;
import io.dsipanama.rtu.registry.ReserveRequest;

import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * Real-time upcalls on processor capacity reserves, for one process: admits reserves through the host-wide
 * registry, runs their upcalls on virtual processors, enforces budgets, and publishes metrics.
 *
 * <pre>{@code
 * try (RtScheduler s = RtScheduler.start(new SchedulerContext())) {
 *     Reserve r = s.admit(ReserveSpec.of(1_000_000, 10_000_000));   // 1 ms every 10 ms, or AdmissionException
 *     r.startPeriodic(ctx -> work());
 *     ...
 * }
 * }</pre>
 *
 * <p>Threads: the virtual processors ({@code dsi-vp-CPU-K}), the budget enforcer and the trigger reactor at
 * real-time priorities above them, and a normal-priority metrics publisher. If no real-time class is
 * permitted the scheduler runs everything as {@code SCHED_OTHER} ({@link Backend#FALLBACK}) and says so:
 * a WARNING on the logger {@code io.dsipanama.rtu}, {@link #realTime()}, {@link #report()}, and the
 * {@code real_time} field of its metrics file.
 *
 * <p><b>Threading.</b> Any thread may call any method. {@link #close()} stops everything and gives every
 * reserve back; it must not be called from an upcall.
 */
public final class RtScheduler implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("io.dsipanama.rtu");

    private final SchedulerContext context;
    private final Backend backend;
    private final String backendReason;
    private final ReserveRegistry registry;
    private final Arena arena = Arena.ofShared();
    private final BitSet cpus;
    private final VirtualProcessor[] vps;
    private final Enforcer enforcer;
    private final Reactor reactor;
    private final MetricsFile metrics;
    private final List<Thread> helpers = new ArrayList<>();
    private final List<Reserve> reserves = new ArrayList<>();
    private final BitSet metricsSlots = new BitSet();
    private final List<String> notes = new ArrayList<>();
    private final boolean memoryLocked;
    private volatile boolean closed;

    private RtScheduler(SchedulerContext context, BackendProbe.Decision decision, ReserveRegistry registry) {
        this.context = context;
        this.backend = decision.backend();
        this.backendReason = decision.reason();
        this.registry = registry;
        this.enforcer = new Enforcer(arena);
        this.reactor = new Reactor(backend.realTime(), context.reactorPriority());
        this.memoryLocked = context.lockMemory() && lockMemory();
        this.cpus = schedulerCpus(context, registry);
        MetricsReader.removeStale(registry.path().getParent());
        this.metrics = MetricsFile.create(registry.path().getParent(), context.maxReserves(), backend.id(),
                backend.realTime(), backend.description() + ": " + backendReason);
        int perCpu = context.virtualProcessorsPerCpu();
        this.vps = new VirtualProcessor[cpus.cardinality() * perCpu];
        int i = 0;
        for (int cpu = cpus.nextSetBit(0); cpu >= 0; cpu = cpus.nextSetBit(cpu + 1)) {
            for (int k = 0; k < perCpu; k++, i++) {
                vps[i] = new VirtualProcessor(i, cpu, backend, registry, enforcer, arena, context.backgroundNice(),
                        context.deadlineOverheadNs());
            }
        }
    }

    /** Starts a scheduler: decides the backend, opens (or creates) the registry, starts the threads. */
    public static RtScheduler start(SchedulerContext context) {
        context.conclude();
        BackendProbe.Decision decision = BackendProbe.decide(context.backend());
        if (!decision.backend().realTime()) {
            if (context.requireRealTime()) {
                throw new IllegalStateException("a real-time backend is required: " + decision.reason());
            }
            LOG.log(System.Logger.Level.WARNING, "DSI-Panama upcalls run WITHOUT real-time guarantees (non-real-time "
                    + "fallback, SCHED_OTHER): " + decision.reason());
        }
        RegistryConfig creating = context.registryConfig() != null ? context.registryConfig()
                : RegistryConfig.defaults(decision.backend() == Backend.DEADLINE ? Policy.EDF : Policy.RM_EXACT);
        ReserveRegistry registry = ReserveRegistry.open(context.registryPath(), creating);
        RtScheduler s = null;
        try {
            checkPolicy(decision.backend(), registry);
            s = new RtScheduler(context, decision, registry);
            s.startThreads();
            return s;
        } catch (RuntimeException | Error e) {
            if (s != null) {
                s.close();
            } else {
                registry.close();
            }
            throw e;
        }
    }

    private static void checkPolicy(Backend backend, ReserveRegistry registry) {
        Policy p = registry.config().policy();
        if (backend == Backend.FIFO && !p.fixedPriority() || backend == Backend.DEADLINE && p != Policy.EDF) {
            throw new IllegalStateException("registry " + registry.path() + " admits with " + p.cliName()
                    + ", which does not fit the " + backend.description() + " backend (SCHED_FIFO needs a "
                    + "fixed-priority test, SCHED_DEADLINE needs edf)");
        }
    }

    private static BitSet schedulerCpus(SchedulerContext context, ReserveRegistry registry) {
        BitSet cpus = Sched.getAffinity(0);
        if (context.cpus() != null) {
            cpus.and(context.cpus());
        }
        cpus.clear(registry.config().cpus(), Math.max(cpus.length(), registry.config().cpus()));
        if (cpus.isEmpty()) {
            throw new IllegalStateException("no CPU is both allowed for this process and known to the registry ("
                    + registry.config().cpus() + " CPUs)");
        }
        return cpus;
    }

    private boolean lockMemory() {
        try {
            Mman.mlockall(Mman.MCL_CURRENT | Mman.MCL_FUTURE);
            notes.add("memory locked (mlockall MCL_CURRENT|MCL_FUTURE)");
            return true;
        } catch (ErrnoException e) {
            String why = "memory NOT locked: " + e.getMessage();
            notes.add(why);
            LOG.log(System.Logger.Level.WARNING, "DSI-Panama: " + why);
            return false;
        }
    }

    private void startThreads() {
        try {
            for (VirtualProcessor vp : vps) {
                vp.start("dsi-vp-" + vp.cpu + "-" + vp.index);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting virtual processors", e);
        }
        enforcer.watch(vps);
        helpers.add(helper("dsi-rtu-enforcer", context.enforcerPriority(), enforcer));
        helpers.add(reactor.startWaiter("dsi-rtu-reactor", reactor::run));
        helpers.add(Thread.ofPlatform().daemon().name("dsi-rtu-metrics").start(this::publishLoop));
    }

    private Thread helper(String name, int priority, Runnable body) {
        return Thread.ofPlatform().daemon().name(name).start(() -> {
            if (backend.realTime()) {
                Reactor.enterFifo(name, priority, notes);
            }
            body.run();
        });
    }

    private void publishLoop() {
        while (!closed) {
            try {
                Thread.sleep(context.publishIntervalMs());
            } catch (InterruptedException e) {
                return;
            }
            if (!closed) {
                publishMetrics();
            }
        }
    }

    /** Writes every reserve's histograms to the metrics file now (the publisher does it periodically). */
    public synchronized void publishMetrics() {
        for (Reserve r : reserves) {
            synchronized (r.histograms) {
                r.histograms.fold();
                metrics.publish(r.metricsSlot(), r.histograms);
            }
        }
    }

    /**
     * Admits a reserve through the host-wide registry (the registry's test on the CPU it is placed on, then,
     * under SCHED_DEADLINE, the kernel's) and gives it a virtual processor on that CPU: the one holding the
     * fewest reserves.
     *
     * @throws AdmissionException when it cannot be admitted; nothing is reserved then
     */
    public synchronized Reserve admit(ReserveSpec spec) {
        if (closed) {
            throw new IllegalStateException("scheduler is closed");
        }
        BitSet allowed = spec.cpus().isEmpty() ? (BitSet) cpus.clone() : spec.cpus();
        allowed.and(cpus);
        if (allowed.isEmpty()) {
            throw new AdmissionException("none of the reserve's CPUs " + spec.cpus() + " is one of this scheduler's " + cpus);
        }
        int slot = metricsSlots.nextClearBit(0);
        if (slot >= context.maxReserves()) {
            throw new AdmissionException("this scheduler already holds maxReserves = " + context.maxReserves() + " reserves");
        }
        int flags = spec.overrun().id() | backend.id() << ReserveEntryDescriptor.FLAG_BACKEND_SHIFT;
        Admitted a = registry.admit(new ReserveRequest(spec.task(), allowed, spec.name(), flags, slot));
        VirtualProcessor vp = null;
        for (VirtualProcessor v : vps) {
            if (v.cpu == a.cpu() && (vp == null || v.reserveCount() < vp.reserveCount())) {
                vp = v;
            }
        }
        Reserve r = new Reserve(this, spec, a.id(), a.cpu(), slot, vp);
        int rc = vp.addReserve(r);
        if (rc != 0) {
            registry.release(a.id());
            throw new AdmissionException("the kernel refused the SCHED_DEADLINE reservation of virtual processor "
                    + vp.index + " with reserve " + spec.task() + " ns added: " + Errno.name(-rc)
                    + " (the kernel's admission test, the second gate after the registry's)");
        }
        metricsSlots.set(slot);
        metrics.activate(slot, a.id());
        reserves.add(r);
        return r;
    }

    /** From {@link Reserve#close()}: gives the reserve back. */
    synchronized void removed(Reserve r) {
        if (!reserves.remove(r)) {
            return;
        }
        r.vp.removeReserve(r);
        registry.release(r.id());
        metrics.deactivate(r.metricsSlot());
        metricsSlots.clear(r.metricsSlot());
    }

    public Backend backend() {
        return backend;
    }

    public String backendReason() {
        return backendReason;
    }

    /** False for the non-real-time fallback: nothing this scheduler runs has a guarantee. */
    public boolean realTime() {
        return backend.realTime();
    }

    public boolean memoryLocked() {
        return memoryLocked;
    }

    public ReserveRegistry registry() {
        return registry;
    }

    public Reactor reactor() {
        return reactor;
    }

    /** The metrics file other processes read this scheduler's histograms from. */
    public Path metricsPath() {
        return metrics.path();
    }

    /** CPUs this scheduler runs virtual processors on. */
    public BitSet cpus() {
        return (BitSet) cpus.clone();
    }

    /** Java thread ids of the virtual processors (for ThreadMXBean). */
    public long[] virtualProcessorThreadIds() {
        long[] ids = new long[vps.length];
        for (int i = 0; i < vps.length; i++) {
            ids[i] = vps[i].javaThreadId();
        }
        return ids;
    }

    /** Jobs the enforcer demoted when they spent their budget. */
    public long enforcerDemotions() {
        return enforcer.demotions();
    }

    /** A charge scope for a server thread outside upcalls (one per thread; see {@link ChargeScope}). */
    public ChargeScope newChargeScope() {
        return new ChargeScope(registry.newEntryView(), registry.config().capacity());
    }

    /** What this scheduler runs on and how it is doing, for people. */
    public synchronized String report() {
        StringBuilder b = new StringBuilder();
        b.append("backend: ").append(backend.description()).append(realTime() ? "" : "  ** NO REAL-TIME GUARANTEES **")
                .append("\n  why: ").append(backendReason)
                .append("\nregistry: ").append(registry.path()).append(" (").append(registry.config().policy().cliName())
                .append(")\nmetrics: ").append(metrics.path())
                .append("\ncpus: ").append(cpus).append(", virtual processors: ").append(vps.length)
                .append("\nenforcer demotions: ").append(enforcer.demotions())
                .append(", reactor errors: ").append(reactor.errors());
        for (VirtualProcessor vp : vps) {
            if (vp.kernel.refusals() > 0) {
                b.append("\nvirtual processor ").append(vp.index).append(": ").append(vp.kernel.refusals())
                        .append(" class changes refused, last ").append(vp.kernel.lastError());
            }
        }
        synchronized (notes) {
            notes.forEach(n -> b.append('\n').append(n));
        }
        reactor.notes().forEach(n -> b.append('\n').append(n));
        for (Reserve r : reserves) {
            b.append("\nreserve ").append(r.id()).append(" '").append(r.spec().name()).append("' ").append(r.spec().task())
                    .append(" ns on cpu ").append(r.cpu()).append(", priority ").append(r.priority());
        }
        return b.toString();
    }

    @Override
    public void close() {
        List<Reserve> all;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            all = new ArrayList<>(reserves);
        }
        try {
            for (Reserve r : all) {
                r.close();
            }
            for (VirtualProcessor vp : vps) {
                if (vp != null && vp.thread() != null) {
                    vp.stop();
                }
            }
            enforcer.stop();
            reactor.stop();
            for (Thread t : helpers) {
                t.interrupt();
                if (!t.join(Duration.ofSeconds(10))) {
                    throw new IllegalStateException(t.getName() + " did not stop");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            metrics.close();
            registry.close();
            arena.close();
            if (memoryLocked) {
                Mman.munlockall();
            }
        }
    }
}
