package io.dsipanama.rtu;

import io.dsipanama.ffm.Sched;
import io.dsipanama.ffm.Time;
import io.dsipanama.rtu.registry.ReserveCounter;
import io.dsipanama.rtu.registry.ReserveEntry;
import io.dsipanama.rtu.registry.ReserveRegistry;

import java.lang.foreign.Arena;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * A virtual processor (Coulson and Blair's split-level scheduling): a platform thread, pinned to the CPU
 * its reserves were placed on (not under SCHED_DEADLINE, see {@link Backend#DEADLINE}), that runs the upcalls of its reserves to
 * completion, most urgent first, and sleeps until the next absolute release time or a trigger. Before each
 * job it puts itself in the kernel class of that job's reserve (its SCHED_FIFO priority, its SCHED_DEADLINE
 * reservation, or background when demoted), and before sleeping in the class of the upcall it will wake
 * for, so the kernel always runs the virtual processor holding the globally most urgent work.
 *
 * <p>Upcalls of one virtual processor never preempt each other: a job that runs long delays the others
 * here (non-preemptive at user level), which is why a reserve that needs isolation from another gets its
 * own virtual processor ({@code virtualProcessorsPerCpu}).
 *
 * <p><b>Steady state allocates nothing</b>: the slot array is read through one volatile field, clocks and
 * futexes are allocation-free downcalls, counters are stores into the registry mapping, histograms are
 * recorders.
 *
 * <p><b>Threading.</b> The loop runs on the virtual processor's thread. {@link #add}, {@link #remove} and
 * {@link #reservesChanged} may be called from any thread.
 */
final class VirtualProcessor implements Runnable {
    private static final UpcallSlot[] NONE = new UpcallSlot[0];

    final int index;
    final int cpu;
    final Doorbell doorbell;
    final VpKernel kernel;
    private final Backend backend;
    private final ReserveRegistry registry;
    private final Enforcer enforcer;
    private final long deadlineOverheadNs;
    private final CountDownLatch started = new CountDownLatch(1);
    private final List<Reserve> reserves = new ArrayList<>();
    private volatile UpcallSlot[] slots = NONE;
    private volatile long configVersion;
    private volatile long appliedConfigVersion;
    private volatile boolean running = true;
    private volatile Throwable failure;
    private Thread thread;

    VirtualProcessor(int index, int cpu, Backend backend, ReserveRegistry registry, Enforcer enforcer, Arena arena,
                     int backgroundNice, long deadlineOverheadNs) {
        this.index = index;
        this.cpu = cpu;
        this.backend = backend;
        this.registry = registry;
        this.enforcer = enforcer;
        this.deadlineOverheadNs = deadlineOverheadNs;
        this.doorbell = new Doorbell(arena);
        this.kernel = new VpKernel(backend, backgroundNice, arena);
    }

    void start(String name) throws InterruptedException {
        thread = Thread.ofPlatform().daemon().name(name).start(this);
        if (!started.await(10, java.util.concurrent.TimeUnit.SECONDS)) {
            throw new IllegalStateException(name + " did not start");
        }
        if (failure != null) {
            throw new IllegalStateException(name + " failed to start: " + failure, failure);
        }
    }

    Thread thread() {
        return thread;
    }

    /** Platform thread id, for ThreadMXBean. */
    long javaThreadId() {
        return thread.threadId();
    }

    synchronized int reserveCount() {
        return reserves.size();
    }

    /** A reserve placed here; under SCHED_DEADLINE the reservation grows (the kernel may refuse: -EBUSY). */
    synchronized int addReserve(Reserve r) {
        reserves.add(r);
        int rc = reservesChanged();
        if (rc != 0) {
            reserves.remove(r);
            reservesChanged();
        }
        return rc;
    }

    synchronized void removeReserve(Reserve r) {
        reserves.remove(r);
        reservesChanged();
    }

    /**
     * Recomputes the SCHED_DEADLINE reservation covering this virtual processor's reserves: period P the
     * shortest period, runtime {@code sum ceil(C_i * P / T_i)} plus the configured overhead per job, deadline
     * the shortest deadline scaled to P (a single reserve keeps its own C/T/D exactly, plus the overhead).
     * Returns 0 or -errno from the kernel; no-op for the other backends.
     */
    synchronized int reservesChanged() {
        if (backend != Backend.DEADLINE) {
            return 0;
        }
        if (reserves.isEmpty()) {
            kernel.releaseDeadline(); // the virtual processor leaves SCHED_DEADLINE itself (see VpKernel)
            doorbell.ring();
            return 0;
        }
        long periodNs = Long.MAX_VALUE;
        for (Reserve r : reserves) {
            periodNs = Math.min(periodNs, r.spec().periodNs());
        }
        long runtimeNs = 0;
        long deadlineNs = periodNs;
        for (Reserve r : reserves) {
            ReserveSpec s = r.spec();
            runtimeNs += scaleUp(s.budgetNs(), periodNs, s.periodNs()) + deadlineOverheadNs;
            deadlineNs = Math.min(deadlineNs, scaleUp(s.deadlineNs(), periodNs, s.periodNs()));
        }
        deadlineNs = Math.max(deadlineNs, Math.min(runtimeNs, periodNs));
        runtimeNs = Math.min(runtimeNs, deadlineNs);
        return kernel.changeDeadline(Math.max(runtimeNs, 1024), deadlineNs, periodNs);
    }

    /** {@code ceil(value * p / t)} without overflow ({@code p <= t}, so the result is at most {@code value}). */
    private static long scaleUp(long value, long p, long t) {
        java.math.BigInteger[] qr = java.math.BigInteger.valueOf(value).multiply(java.math.BigInteger.valueOf(p))
                .divideAndRemainder(java.math.BigInteger.valueOf(t));
        return qr[0].longValueExact() + (qr[1].signum() > 0 ? 1 : 0);
    }

    synchronized void add(UpcallSlot slot) {
        UpcallSlot[] next = Arrays.copyOf(slots, slots.length + 1);
        next[next.length - 1] = slot;
        slots = next;
        configVersion++;
        doorbell.ring();
    }

    /** Removes {@code slot}; unless called from an upcall here, waits until the loop has let it go. */
    void remove(UpcallSlot slot) {
        long version;
        synchronized (this) {
            slot.cancelled = true;
            slots = Arrays.stream(slots).filter(s -> s != slot).toArray(UpcallSlot[]::new);
            version = ++configVersion;
        }
        doorbell.ring();
        if (Thread.currentThread() == thread) {
            return;
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (running && appliedConfigVersion < version && System.nanoTime() - deadline < 0) {
            try {
                Thread.sleep(1); // never spin: this thread may share a CPU with the virtual processor it waits for
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    void stop() throws InterruptedException {
        running = false;
        doorbell.ring();
        if (thread != null && !thread.join(Duration.ofSeconds(30))) {
            throw new IllegalStateException(thread.getName() + " did not stop within 30 s (an upcall that never returns?)");
        }
    }

    @Override
    public void run() {
        try {
            kernel.setTid(io.dsipanama.ffm.Unistd.gettid());
            if (backend != Backend.DEADLINE) {
                Sched.setAffinity(0, cpu); // SCHED_DEADLINE refuses a thread narrower than its root domain
            }
        } catch (Throwable t) {
            failure = t;
        } finally {
            started.countDown();
        }
        if (failure != null) {
            return;
        }
        try {
            loop();
        } finally {
            kernel.apply(VpKernel.OTHER); // the thread ends anyway; leave nothing real-time behind meanwhile
        }
    }

    private void loop() {
        UpcallSlot[] current = NONE;
        long seenGeneration = -1;
        while (running) {
            // the doorbell's value before anything this pass looks at (configuration, pending events): a ring
            // after this point (add, remove, fire) makes the sleep below return at once. Taken after the
            // configuration check, an add() between the two was lost: its ring was already in 'seen', and a
            // virtual processor with only reactive upcalls slept for ever with the new periodic one never started.
            int seen = doorbell.prepare();
            long nowNs = Time.monotonicNs();
            long version = configVersion;
            if (version != appliedConfigVersion) {
                current = slots;
                for (UpcallSlot s : current) {
                    if (!s.started) {
                        s.start(nowNs);
                    }
                }
                appliedConfigVersion = version;
            }
            long generation = registry.acquireGeneration();
            if (generation != seenGeneration) {
                seenGeneration = generation;
                for (UpcallSlot s : current) {
                    s.refreshPriority();
                }
            }
            UpcallSlot job = null;
            UpcallSlot next = null;
            long wakeNs = Long.MAX_VALUE;
            for (UpcallSlot s : current) {
                long at = s.poll(nowNs);
                if (s.ready) {
                    if (job == null || s.moreUrgentThan(job)) {
                        job = s;
                    }
                } else if (at < wakeNs) {
                    wakeNs = at;
                    next = s;
                }
            }
            if (job != null) {
                runJob(job, nowNs);
                continue;
            }
            kernel.apply(sleepClass(current, next));
            doorbell.awaitUntil(seen, wakeNs);
        }
    }

    /**
     * The class to sleep in: that of the upcall due next, raised to that of any reactive upcall, which a
     * trigger can make ready at any moment. The wake-up then happens at the priority of the work it is for;
     * sleeping in SCHED_OTHER would put a triggered job behind every normal thread before it could even raise
     * its class.
     */
    private int sleepClass(UpcallSlot[] current, UpcallSlot next) {
        int key = next != null ? next.classKey(false) : VpKernel.OTHER;
        for (UpcallSlot s : current) {
            if (s.reactive() && !s.cancelled) {
                int k = s.classKey(false);
                if (k == VpKernel.DEADLINE || key != VpKernel.DEADLINE && k > key) {
                    key = k;
                }
            }
        }
        if (key == VpKernel.OTHER && backend == Backend.DEADLINE && kernel.deadlineWanted()) {
            key = VpKernel.DEADLINE; // a SCHED_DEADLINE reservation stays while the reserves do
        }
        return key;
    }

    private void runJob(UpcallSlot job, long nowNs) {
        ReserveEntry entry = job.entry;
        long charged = entry.drainChargePending();
        if (charged > 0) {
            entry.addCounter(ReserveCounter.CHARGED_IN_NS, charged);
            job.absorbCharges(charged, nowNs);
        }
        long leftNs = job.budgetLeftNs();
        boolean overrunAtStart = leftNs <= 0 && job.markOverrun();
        if (overrunAtStart) {
            overrun(job);
        }
        boolean demoted = job.demotedAt(nowNs);
        kernel.apply(job.classKey(demoted));

        long startNs = Time.monotonicNs();
        long startCpuNs = Time.clock_gettime(Time.CLOCK_THREAD_CPUTIME_ID);
        // SCHED_FIFO only: under SCHED_DEADLINE the kernel's CBS already stops a job at the reservation's
        // runtime, and moving a DEADLINE thread out of its class from another thread can leak the kernel's
        // bandwidth if it has just blocked (see VpKernel.releaseDeadline)
        boolean watched = !demoted && job.policy == OverrunPolicy.DEMOTE && backend == Backend.FIFO;
        if (watched) {
            kernel.publishJob(startCpuNs, leftNs);
            enforcer.jobStarted(startNs + leftNs);
        }
        job.context.prepare(job.releaseNs, job.absDeadlineNs, job.jobEvents, leftNs, startCpuNs);
        try {
            job.upcall.onUpcall(job.context);
        } catch (Throwable t) {
            upcallFailed(job, t);
        }
        long endCpuNs = Time.clock_gettime(Time.CLOCK_THREAD_CPUTIME_ID);
        long endNs = Time.monotonicNs();
        boolean enforcerDemoted = kernel.endJob();
        job.ready = false;

        long usedNs = Math.max(0, endCpuNs - startCpuNs - job.context.chargedAwayNs());
        entry.addCounter(ReserveCounter.RELEASES, 1);
        entry.addCounter(ReserveCounter.COMPLETIONS, 1);
        entry.addCounter(ReserveCounter.CPU_USED_NS, usedNs);
        entry.maxCounter(ReserveCounter.MAX_JOB_CPU_NS, usedNs);
        entry.setCounter(ReserveCounter.LAST_COMPLETION_NS, endNs);
        job.reserve.histograms.record(startNs - job.releaseNs, endNs - job.releaseNs);
        if (endNs - job.absDeadlineNs > 0) {
            entry.addCounter(ReserveCounter.DEADLINE_MISSES, 1);
            DeadlineMissHandler h = job.reserve.missHandler();
            if (h != null) {
                try {
                    h.onDeadlineMiss(job.reserve, job.releaseNs, job.absDeadlineNs, endNs);
                } catch (Throwable t) {
                    upcallFailed(job, t);
                }
            }
        }
        if (job.account(usedNs) || (enforcerDemoted && job.markOverrun())) {
            overrun(job);
        }
    }

    /** Counts an overrun, applies the reserve's policy and calls its overrun handler. */
    private void overrun(UpcallSlot job) {
        ReserveEntry entry = job.entry;
        entry.addCounter(ReserveCounter.OVERRUNS, 1);
        if (job.policy == OverrunPolicy.DEMOTE) {
            entry.addCounter(ReserveCounter.DEMOTIONS, 1);
        }
        job.applyOverrunPolicy();
        OverrunHandler h = job.reserve.overrunHandler();
        if (h != null) {
            try {
                h.onOverrun(job.reserve, job.usedInPeriodNs(), job.budgetNs);
            } catch (Throwable t) {
                upcallFailed(job, t);
            }
        }
    }

    /** An upcall or one of its reserve's handlers threw: counted, and kept as the reserve's last error. */
    private static void upcallFailed(UpcallSlot job, Throwable t) {
        job.entry.addCounter(ReserveCounter.UPCALL_ERRORS, 1);
        job.reserve.recordError(t);
    }
}
