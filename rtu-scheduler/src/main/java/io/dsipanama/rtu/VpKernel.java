package io.dsipanama.rtu;

import io.dsipanama.ffm.Errno;
import io.dsipanama.ffm.Sched;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The kernel-facing state of one virtual processor: its current scheduling class, the job the enforcer
 * watches, and a monitor that orders every change to them. Three threads change a virtual processor's
 * class: the virtual processor itself (per job, split-level: the class of the upcall it is about to run),
 * the enforcer (demoting a job that has spent its budget), and a thread admitting a reserve (a new
 * SCHED_DEADLINE reservation, so the kernel's admission test answers before the reserve is granted). The
 * lock is held only around one sched_setattr(2) call; nobody blocks under it.
 *
 * <p>Class keys: {@link #OTHER}, a SCHED_FIFO priority 1..99, or {@link #DEADLINE}. Every class is set with
 * {@code SCHED_FLAG_RESET_ON_FORK}: a SCHED_DEADLINE thread could not start a thread otherwise, and no child
 * should inherit a real-time class by accident.
 *
 * <p>The attr segment is written before each call under the lock, so setting a class allocates nothing.
 */
final class VpKernel {
    static final int OTHER = 0;
    static final int DEADLINE = -1;

    private static final long POLICY = Sched.SCHED_ATTR.byteOffset(groupElement("sched_policy"));
    private static final long FLAGS = Sched.SCHED_ATTR.byteOffset(groupElement("sched_flags"));
    private static final long NICE = Sched.SCHED_ATTR.byteOffset(groupElement("sched_nice"));
    private static final long PRIORITY = Sched.SCHED_ATTR.byteOffset(groupElement("sched_priority"));
    private static final long RUNTIME = Sched.SCHED_ATTR.byteOffset(groupElement("sched_runtime"));
    private static final long DEADLINE_NS = Sched.SCHED_ATTR.byteOffset(groupElement("sched_deadline"));
    private static final long PERIOD = Sched.SCHED_ATTR.byteOffset(groupElement("sched_period"));

    private final Backend backend;
    private final int backgroundNice;
    private final MemorySegment attr;
    private volatile int tid;

    // guarded by this (see the NOTE below)
    private int current = OTHER;
    private long dlRuntimeNs;
    private long dlDeadlineNs;
    private long dlPeriodNs;
    private long dlVersion;
    private long appliedDlVersion = -1;
    private long jobSeq;
    private volatile boolean deadlineWanted;
    private boolean demotedByEnforcer;
    private long refusals;
    private int lastErrno;

    // the running job, published by jobSeq (odd while a watched job runs)
    private volatile long publishedJobSeq;
    private long jobStartCpuNs;
    private long jobBudgetLeftNs;

    VpKernel(Backend backend, int backgroundNice, Arena arena) {
        this.backend = backend;
        this.backgroundNice = backgroundNice;
        this.attr = arena.allocate(Sched.SCHED_ATTR);
    }

    void setTid(int newTid) {
        tid = newTid;
    }

    int tid() {
        return tid;
    }

    /*
     * NOTE: every method that touches the guarded state is synchronized: a blocking monitor, never a spin
     * lock. The enforcer (SCHED_FIFO 99) can preempt the virtual processor while it holds the lock on the same
     * CPU; spinning there keeps the holder off the CPU (priority inversion that only the kernel's fair server
     * eventually breaks, after 100 ms or more, as measured here). Blocking lets the holder run and finish.
     * Uncontended, a monitor costs one CAS and allocates nothing.
     */

    /** Puts the thread in class {@code wanted}; returns 0 or -errno (EPERM, EBUSY). No-op for the fallback. */
    int apply(int wanted) {
        if (backend == Backend.FALLBACK) {
            return 0;
        }
        synchronized (this) {
            return applyLocked(wanted);
        }
    }

    private int applyLocked(int wanted) {
        if (wanted == current && (wanted != DEADLINE || appliedDlVersion == dlVersion)) {
            return 0;
        }
        attr.fill((byte) 0);
        attr.set(JAVA_LONG, FLAGS, Sched.SCHED_FLAG_RESET_ON_FORK);
        if (wanted == OTHER) {
            attr.set(JAVA_INT, POLICY, Sched.SCHED_OTHER);
            attr.set(JAVA_INT, NICE, backgroundNice);
        } else if (wanted == DEADLINE) {
            attr.set(JAVA_INT, POLICY, Sched.SCHED_DEADLINE);
            attr.set(JAVA_LONG, RUNTIME, dlRuntimeNs);
            attr.set(JAVA_LONG, DEADLINE_NS, dlDeadlineNs);
            attr.set(JAVA_LONG, PERIOD, dlPeriodNs);
        } else {
            attr.set(JAVA_INT, POLICY, Sched.SCHED_FIFO);
            attr.set(JAVA_INT, PRIORITY, wanted);
        }
        int rc = Sched.sched_setattr(tid, attr, 0);
        if (rc == 0) {
            current = wanted;
            if (wanted == DEADLINE) {
                appliedDlVersion = dlVersion;
            }
        } else {
            refusals++;
            lastErrno = -rc;
        }
        return rc;
    }

    /**
     * New SCHED_DEADLINE parameters for this virtual processor's reservation. Applied at once unless the
     * thread is demoted (then when it is restored). Returns 0 or -errno: {@code -EBUSY} is the kernel's
     * admission test refusing the reservation, and the old parameters stay.
     */
    synchronized int changeDeadline(long runtimeNs, long deadlineNs, long periodNs) {
        long[] old = {dlRuntimeNs, dlDeadlineNs, dlPeriodNs};
        dlRuntimeNs = runtimeNs;
        dlDeadlineNs = deadlineNs;
        dlPeriodNs = periodNs;
        dlVersion++;
        // Into SCHED_DEADLINE (or a new reservation within it) is safe from another thread, asleep or not; only
        // the way out is not (see releaseDeadline). A job demoted at the time ends its demotion early.
        int rc = applyLocked(DEADLINE);
        if (rc != 0) {
            dlRuntimeNs = old[0];
            dlDeadlineNs = old[1];
            dlPeriodNs = old[2];
            dlVersion++;
        } else {
            deadlineWanted = true;
        }
        return rc;
    }

    /**
     * The virtual processor no longer holds reserves: it should leave SCHED_DEADLINE, and does so itself
     * before it next sleeps. Never switched from here: Linux 6.18 keeps the admitted bandwidth of a
     * SCHED_DEADLINE thread that is moved to another class while it sleeps, for good (measured; only a
     * rebuild of the root domain gives it back), so a sleeping virtual processor must not be moved out.
     * The virtual processor moving itself, while running, is fine.
     */
    synchronized void releaseDeadline() {
        deadlineWanted = false;
    }

    /** Whether the virtual processor should stay in SCHED_DEADLINE while idle (it holds reserves). */
    boolean deadlineWanted() {
        return deadlineWanted;
    }

    /** Virtual processor, before a job the enforcer must watch: publishes it (odd sequence). */
    synchronized void publishJob(long startCpuNs, long budgetLeftNs) {
        jobStartCpuNs = startCpuNs;
        jobBudgetLeftNs = budgetLeftNs;
        jobSeq |= 1;
        publishedJobSeq = jobSeq; // volatile: ordered before the enforcer's armed-time read (Dekker)
    }

    /** Virtual processor, after every job: ends the watched job; true when the enforcer demoted it. */
    synchronized boolean endJob() {
        if ((jobSeq & 1) != 0) {
            jobSeq++;
            publishedJobSeq = jobSeq;
        }
        boolean demoted = demotedByEnforcer;
        demotedByEnforcer = false;
        return demoted;
    }

    /** Enforcer: the watched job's sequence (odd while one runs). */
    long volatileJobSeq() {
        return publishedJobSeq;
    }

    /** Enforcer: CPU clock at the start of job {@code seq} and its budget, or -1 when it already ended. */
    synchronized long jobStartCpuNs(long seq) {
        return jobSeq == seq ? jobStartCpuNs : -1;
    }

    /** Enforcer: the budget job {@code seq} started with, or -1 when it already ended. */
    synchronized long jobBudgetLeftNs(long seq) {
        return jobSeq == seq ? jobBudgetLeftNs : -1;
    }

    /** Enforcer: sends the thread to background if job {@code seq} is still running; true if it did. */
    synchronized boolean demoteIfRunning(long seq) {
        if (jobSeq != seq || current == OTHER) {
            return false;
        }
        if (applyLocked(OTHER) != 0) {
            return false;
        }
        demotedByEnforcer = true;
        return true;
    }

    long refusals() {
        return refusals;
    }

    String lastError() {
        return lastErrno == 0 ? "none" : Errno.name(lastErrno);
    }
}
