package io.dsipanama.rtu;

import io.dsipanama.ffm.ErrnoException;
import io.dsipanama.ffm.Time;

import java.lang.foreign.Arena;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The budget enforcer: a thread above every virtual processor (SCHED_FIFO priority 99 by default) that
 * demotes a virtual processor to background ({@code SCHED_OTHER}) the moment its running job has used the
 * budget its reserve had left, for reserves with {@link OverrunPolicy#DEMOTE}. Without it an overrunning
 * run-to-completion upcall would keep its real-time priority until it returned.
 *
 * <p>It reads the job's CPU time from outside, through the virtual processor thread's CPU clock
 * ({@code Time.threadCpuClockId}), and sleeps in between until the earliest instant any watched job could
 * exhaust its budget (start + budget left, in wall time, since CPU time cannot run faster than wall time),
 * re-arming when a job was preempted and has budget left. A virtual processor starting a watched job rings
 * the enforcer only when that job could exhaust its budget before the enforcer's armed wake-up.
 *
 * <p>Protocol with {@link #jobStarted} (Dekker on two volatile words): the enforcer stores
 * {@code armedUntil = MAX} before scanning and the real target after; a virtual processor publishes its job
 * (volatile) before reading {@code armedUntil}. Either the scan sees the job, or the virtual processor sees
 * {@code MAX} (or a target computed without its job that is later than its exhaustion) and rings.
 *
 * <p><b>Threading.</b> {@link #jobStarted} from virtual processors; the loop on the enforcer's thread.
 */
final class Enforcer implements Runnable {
    private static final VarHandle ARMED_UNTIL;

    static {
        try {
            ARMED_UNTIL = MethodHandles.lookup().findVarHandle(Enforcer.class, "armedUntilNs", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Doorbell doorbell;
    private final AtomicLong demotions = new AtomicLong();
    private volatile VirtualProcessor[] vps = new VirtualProcessor[0];
    private volatile boolean running = true;
    @SuppressWarnings("unused") // ARMED_UNTIL
    private long armedUntilNs = Long.MAX_VALUE;

    Enforcer(Arena arena) {
        this.doorbell = new Doorbell(arena);
    }

    void watch(VirtualProcessor[] all) {
        vps = all.clone();
        doorbell.ring();
    }

    /** Virtual processor, after publishing a watched job that could exhaust its budget at {@code exhaustNs}. */
    void jobStarted(long exhaustNs) {
        if (exhaustNs - (long) ARMED_UNTIL.getVolatile(this) < 0) {
            doorbell.ring();
        }
    }

    /** Jobs demoted so far. */
    long demotions() {
        return demotions.get();
    }

    void stop() {
        running = false;
        doorbell.ring();
    }

    @Override
    public void run() {
        while (running) {
            ARMED_UNTIL.setVolatile(this, Long.MAX_VALUE);
            int seen = doorbell.prepare();
            long nowNs = Time.monotonicNs();
            long targetNs = Long.MAX_VALUE;
            for (VirtualProcessor vp : vps) {
                long at = check(vp, nowNs);
                if (at - targetNs < 0) {
                    targetNs = at;
                }
            }
            ARMED_UNTIL.setVolatile(this, targetNs);
            doorbell.awaitUntil(seen, targetNs);
        }
    }

    /** Demotes {@code vp}'s job if it spent its budget; returns when to look again ({@code MAX}: no need). */
    private long check(VirtualProcessor vp, long nowNs) {
        VpKernel k = vp.kernel;
        long seq = k.volatileJobSeq();
        if ((seq & 1) == 0) {
            return Long.MAX_VALUE;
        }
        long startCpuNs = k.jobStartCpuNs(seq);
        long leftNs = k.jobBudgetLeftNs(seq);
        if (startCpuNs < 0 || leftNs < 0) {
            return Long.MAX_VALUE; // ended meanwhile
        }
        long cpuNs;
        try {
            cpuNs = Time.clock_gettime(Time.threadCpuClockId(k.tid()));
        } catch (ErrnoException e) {
            return Long.MAX_VALUE; // the thread is gone
        }
        long usedNs = cpuNs - startCpuNs;
        if (usedNs > leftNs) {
            if (k.demoteIfRunning(seq)) {
                demotions.incrementAndGet();
            }
            return Long.MAX_VALUE;
        }
        return nowNs + (leftNs - usedNs) + 1;
    }
}
