package io.dsipanama.ffm;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * {@code <time.h>}: clock_gettime(2) and clock_nanosleep(2), with times as {@code long} nanoseconds.
 * {@code CLOCK_BOOTTIME} needs Linux 2.6.39; everything else here is older.
 *
 * <p>Both calls go through the shim ({@code dsi_clock_gettime_ns}, {@code dsi_clock_nanosleep_ns}), which
 * converts {@code struct timespec} to nanoseconds in C. That is the choice for speed: no timespec segment
 * to find per thread, no errno capture (the shim returns {@code -errno}), so the clock read allocates
 * nothing and is bound {@link Native#CRITICAL critical} (it never blocks: the vDSO answers the wall and
 * monotonic clocks, a short syscall the CPU-time clocks). The sleep blocks, so it is an ordinary downcall.
 * {@link #TIMESPEC} is here for the structs that embed one ({@link Stat#STAT}).
 */
@SuppressWarnings("restricted")
public final class Time {
    public static final int CLOCK_REALTIME = 0;
    public static final int CLOCK_MONOTONIC = 1;
    public static final int CLOCK_PROCESS_CPUTIME_ID = 2;
    public static final int CLOCK_THREAD_CPUTIME_ID = 3;
    public static final int CLOCK_MONOTONIC_RAW = 4;
    public static final int CLOCK_BOOTTIME = 7;

    public static final int TIMER_ABSTIME = 1;

    /** {@code struct timespec} on x86_64: two longs. */
    public static final StructLayout TIMESPEC = MemoryLayout.structLayout(
            JAVA_LONG.withName("tv_sec"),
            JAVA_LONG.withName("tv_nsec")).withName("timespec");

    private static final MethodHandle CLOCK_GETTIME_NS = Native.shim("dsi_clock_gettime_ns",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT), Native.CRITICAL);
    private static final MethodHandle CLOCK_NANOSLEEP_NS = Native.shim("dsi_clock_nanosleep_ns",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_LONG));

    private Time() {
    }

    /**
     * clock_gettime(2) of {@code clockid}, in nanoseconds. {@code CLOCK_MONOTONIC} is the clock of
     * {@link System#nanoTime()} on Linux, so the two can be compared. Throws for a clock this kernel does
     * not have (EINVAL).
     */
    public static long clock_gettime(int clockid) {
        long rc;
        try {
            rc = (long) CLOCK_GETTIME_NS.invokeExact(clockid);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
        // -errno is in [-4095, -1]; only CLOCK_REALTIME set before 1970 could read that low.
        if (rc < 0 && rc >= -4095 && clockid != CLOCK_REALTIME) {
            throw ErrnoException.of("clock_gettime", (int) -rc, "clockid", clockid);
        }
        return rc;
    }

    /**
     * The clock id of thread {@code tid}'s CPU time, for {@link #clock_gettime}: what glibc's
     * pthread_getcpuclockid(3) returns, computed from a kernel thread id because Java has no
     * {@code pthread_t} for another thread. Lets one thread watch how much CPU another has used (a budget
     * enforcer). Only threads of the calling process can be read: for others, and for a thread that has
     * exited, clock_gettime fails with EINVAL.
     *
     * <p>The encoding is kernel ABI ({@code include/linux/posix-timers.h}, stable since 2.6.12):
     * {@code MAKE_THREAD_CPUCLOCK(tid, CPUCLOCK_SCHED) = (~tid << 3) | CPUCLOCK_PERTHREAD_MASK (4) |
     * CPUCLOCK_SCHED (2)}; {@code CPUCLOCK_SCHED} counts the scheduler's exact runtime, the same clock as
     * {@link #CLOCK_THREAD_CPUTIME_ID}. No header exports these macros, so there is nothing to probe; the
     * test compares the two clocks instead.
     */
    public static int threadCpuClockId(int tid) {
        if (tid <= 0) {
            throw new IllegalArgumentException("tid must be > 0: " + tid);
        }
        return (~tid << 3) | CPUCLOCK_PERTHREAD_MASK | CPUCLOCK_SCHED;
    }

    private static final int CPUCLOCK_PERTHREAD_MASK = 4;
    private static final int CPUCLOCK_SCHED = 2;

    /** {@code CLOCK_MONOTONIC} now, in nanoseconds. */
    public static long monotonicNs() {
        return clock_gettime(CLOCK_MONOTONIC);
    }

    /**
     * clock_nanosleep(2): sleeps for {@code timeNs} of {@code clockid}, or with {@link #TIMER_ABSTIME}
     * until that clock reads {@code timeNs}. Returns 0, or {@code -EINTR} when a signal handler interrupted
     * it (for an absolute sleep, call again with the same time). Java's {@link Thread#interrupt()} does
     * not interrupt it.
     */
    public static int clock_nanosleep(int clockid, int flags, long timeNs) {
        if (timeNs < 0) {
            throw new IllegalArgumentException("timeNs must be >= 0: " + timeNs);
        }
        long rc;
        try {
            rc = (long) CLOCK_NANOSLEEP_NS.invokeExact(clockid, flags, timeNs);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
        if (rc < 0 && rc != -Errno.EINTR) {
            throw ErrnoException.of("clock_nanosleep", (int) -rc, "clockid", clockid, "flags", flags,
                    "timeNs", timeNs);
        }
        return (int) rc;
    }

    /**
     * Sleeps until {@code CLOCK_MONOTONIC} reads {@code deadlineNs} (returns at once when it has passed).
     * Returns 0, or {@code -EINTR}; a periodic loop that sleeps to absolute deadlines does not drift.
     */
    public static int sleepUntil(long deadlineNs) {
        return clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, Math.max(0, deadlineNs));
    }

    /**
     * Sleeps for {@code durationNs} of {@code CLOCK_MONOTONIC}. Returns 0, or {@code -EINTR}, in which
     * case the rest of the time is lost: use {@link #sleepUntil} when that matters.
     */
    public static int sleep(long durationNs) {
        return clock_nanosleep(CLOCK_MONOTONIC, 0, durationNs);
    }
}
