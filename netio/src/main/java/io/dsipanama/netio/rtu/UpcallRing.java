package io.dsipanama.netio.rtu;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.dsipanama.netio.NetContext;
import io.dsipanama.netio.NetFeatures;
import io.dsipanama.netio.RingOwner;
import io.dsipanama.rtu.Reserve;
import io.dsipanama.rtu.TriggerSource;
import io.dsipanama.rtu.Upcall;
import io.dsipanama.rtu.UpcallContext;

/**
 * netio's library mode on the application's upcalls (issue 6): a {@link RingOwner} created, driven and closed
 * only inside the upcalls of one reserve, so the protocol work (reap, reassemble, deliver, produce, send) runs
 * as jobs of that reserve, policed by its budget, instead of on a thread of the application's.
 *
 * <p><b>One ring, one thread.</b> A reserve's upcalls all run on its virtual processor, one platform thread.
 * The first job creates the ring there, so {@code SINGLE_ISSUER | DEFER_TASKRUN} hold as in thread mode: the
 * virtual processor is the submitter, and only it reaps. Completions are posted when it enters the kernel,
 * which each job does first ({@link RingOwner#flush}) and at the end of every cycle. Nothing else touches the
 * ring: {@link #close()} asks the upcall to close it and waits.
 *
 * <p><b>Reactive</b> ({@link #reactive}): the ring's eventfd ({@link RingTrigger}) is the trigger source, so a
 * completion fires the upcall, plus any other sources (a sender adds its stream's {@code StreamTrigger}). A job
 * runs cycles ({@link RingApp#doWork} then {@link RingOwner#doWork}) until one does nothing or
 * {@code maxCyclesPerJob} ran; in the latter case it asks for another job (the policing decides when). An
 * optional ring timer ({@code livenessNs}) completes at least that often, for what no completion announces,
 * and then a watchdog ({@link RingTrigger}) fires a job when none ran for {@code 2 * livenessNs}: the kernel
 * can hold deferred work without signalling the eventfd, and the timer's own completion is such work.
 * <b>Periodic</b> ({@link #periodic}): the same job every period, no eventfd.
 *
 * <p>The first job pays for creating the ring, sockets and buffers (a fraction of a millisecond to a few): it may
 * overrun its budget once; steady-state jobs allocate nothing here.
 *
 * <p><b>Threading.</b> Create and {@link #close} from one application thread; the counters from any thread;
 * the {@link RingApp} only in its upcalls (or after {@link #close()}, whose wait orders its last writes).
 */
public final class UpcallRing<A extends RingApp> implements AutoCloseable {
    /** Cycles one job runs at most before it yields to the policing. */
    public static final int DEFAULT_MAX_CYCLES = 16;
    private static final long CLOSE_WAIT_NS = TimeUnit.SECONDS.toNanos(5);

    private final Reserve reserve;
    private final NetContext ctx;
    private final RingApp.Setup<A> setup;
    private final RingTrigger trigger;
    private final long livenessNs;
    private final int maxCycles;
    private RingOwner owner;
    private RingTimer timer;
    private A app;
    private volatile boolean ready;
    private volatile Throwable failure;
    private volatile boolean closing;
    private volatile boolean tornDown;
    private volatile long jobs;
    private volatile long idleJobs;
    private volatile long cycles;
    private volatile long kicks;

    private UpcallRing(Reserve reserve, NetContext ctx, RingApp.Setup<A> setup, boolean reactive, long livenessNs,
                       int maxCycles) {
        this.reserve = reserve;
        this.ctx = ctx.conclude();
        NetFeatures.of(this.ctx); // probes once per process: here, not in the first upcall
        this.setup = setup;
        this.trigger = reactive ? new RingTrigger(livenessNs > 0 ? 2 * livenessNs : 0) : null;
        this.livenessNs = livenessNs;
        this.maxCycles = maxCycles;
    }

    /**
     * Runs the ring in reactive upcalls of {@code reserve} fired by its completions and by {@code more}; at least
     * {@code minInterArrivalNs} apart; a ring timer every {@code livenessNs} (0: none).
     */
    public static <A extends RingApp> UpcallRing<A> reactive(Reserve reserve, NetContext ctx, long minInterArrivalNs,
                                                             long livenessNs, RingApp.Setup<A> setup, TriggerSource... more) {
        UpcallRing<A> r = new UpcallRing<>(reserve, ctx, setup, true, livenessNs, DEFAULT_MAX_CYCLES);
        List<TriggerSource> sources = new ArrayList<>(List.of(more));
        sources.addFirst(r.trigger);
        try {
            reserve.startReactive(sources.size() == 1 ? r.trigger : new AnyTrigger(sources), minInterArrivalNs, r.upcall());
        } catch (RuntimeException e) {
            r.trigger.close();
            throw e;
        }
        return r;
    }

    /** Runs the ring in a periodic upcall of {@code reserve}: each release does the cycles. */
    public static <A extends RingApp> UpcallRing<A> periodic(Reserve reserve, NetContext ctx, RingApp.Setup<A> setup) {
        UpcallRing<A> r = new UpcallRing<>(reserve, ctx, setup, false, 0, DEFAULT_MAX_CYCLES);
        reserve.startPeriodic(r.upcall());
        return r;
    }

    private Upcall upcall() {
        return this::job;
    }

    private void job(UpcallContext context) {
        if (tornDown) {
            return;
        }
        if (owner == null && !setUp()) {
            return;
        }
        if (closing) {
            tearDown();
            return;
        }
        owner.flush(); // let the kernel post what it deferred for this thread
        int n = 0;
        int total = 0;
        int work;
        do {
            if (trigger != null) {
                trigger.clear(); // what signals from here on is answered by this cycle or a later job
            }
            long nowNs = System.nanoTime();
            work = app.doWork(nowNs) + owner.doWork(nowNs);
            if (work == 0 && owner.ring().cqReady() > 0) {
                // this cycle's own enter posted completions (deferred work it ran, at most 20 items an enter):
                // reap them now instead of trusting the eventfd to call us back for them
                work = 1;
            }
            total += work;
        } while (work > 0 && ++n < maxCycles);
        cycles += n + (work > 0 ? 0 : 1);
        jobs++;
        if (total == 0) {
            idleJobs++;
        }
        if (work > 0 && trigger != null) {
            kicks++;
            trigger.kick();
        }
    }

    private boolean setUp() {
        if (closing) {
            tornDown = true;
            return false;
        }
        try {
            owner = new RingOwner(ctx);
            if (trigger != null) {
                trigger.register(owner);
            }
            if (livenessNs > 0) {
                timer = new RingTimer(owner, livenessNs);
            }
            app = setup.setUp(owner);
            ready = true;
            return true;
        } catch (RuntimeException | Error e) {
            failure = e;
            if (owner != null) {
                owner.close();
            }
            tornDown = true;
            return false;
        }
    }

    private void tearDown() {
        try {
            if (app != null) {
                app.close();
            }
        } finally {
            owner.close(); // closes the timer and every target: cancels and drains what is in flight
            tornDown = true;
        }
    }

    /** Waits until the first upcall made the ring and the app; rethrows what the setup threw. */
    public A awaitReady(long timeoutNs) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutNs;
        while (!ready) {
            if (failure != null) {
                throw new IllegalStateException("ring setup failed in the upcall", failure);
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("no upcall set the ring up within " + timeoutNs / 1_000_000 + " ms; reserve "
                        + reserve.id() + " last error " + reserve.lastError());
            }
            Thread.sleep(1);
        }
        return app;
    }

    /**
     * The app the setup made (null before); its state belongs to the upcalls: read it after {@link #close()},
     * or as a monitor behind a fence.
     */
    public A app() {
        return ready ? app : null;
    }

    /** The ring (for its counters, from any thread); null before the first upcall. */
    public RingOwner owner() {
        return ready ? owner : null;
    }

    public Reserve reserve() {
        return reserve;
    }

    /** Jobs that ran the ring. */
    public long jobs() {
        return jobs;
    }

    /** Jobs that found nothing to do (a signal the reactor read before the job's own clear). */
    public long idleJobs() {
        return idleJobs;
    }

    /** Cycles run, over all jobs. */
    public long cycles() {
        return cycles;
    }

    /** Jobs that ended with work left and asked for another. */
    public long kicks() {
        return kicks;
    }

    /**
     * Times the trigger's watchdog found no job for {@code 2 * livenessNs} and fired one (a lost wake-up or a
     * reserve held back; 0 without {@code livenessNs}, and for periodic rings).
     */
    public long rescues() {
        return trigger != null ? trigger.rescues() : 0;
    }

    /** Ring timer expiries (0 without {@code livenessNs}). */
    public long timerExpiries() {
        return ready && timer != null ? timer.expiries() : 0;
    }

    /**
     * Asks the next upcall to close the app and the ring (fired at once when reactive, else at the next release),
     * waits for it, then stops the upcall. The reserve stays admitted: the caller closes it.
     */
    @Override
    public void close() {
        closing = true;
        if (trigger != null) {
            trigger.kick();
        }
        long deadline = System.nanoTime() + CLOSE_WAIT_NS;
        while (!tornDown && System.nanoTime() - deadline < 0) {
            Thread.onSpinWait();
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        try {
            reserve.stop();
        } finally {
            if (trigger != null) {
                trigger.close();
            }
        }
        if (!tornDown) {
            throw new IllegalStateException("the upcall did not close its ring within " + CLOSE_WAIT_NS / 1_000_000
                    + " ms (its memory is left to the process)");
        }
    }
}
