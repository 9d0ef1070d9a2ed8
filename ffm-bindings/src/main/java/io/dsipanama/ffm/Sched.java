package io.dsipanama.ffm;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.util.BitSet;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * {@code <sched.h>}, {@code <linux/sched.h>}, {@code <linux/sched/types.h>}: sched_setattr(2),
 * sched_getattr(2) (through the shim: glibc 2.36 does not wrap them), sched_setaffinity(2),
 * sched_getaffinity(2), sched_get_priority_min(2), sched_get_priority_max(2), sched_yield(2); see
 * sched(7). sched_setattr needs Linux 3.14, {@code sched_util_min/max} 5.3; the runtime of a
 * {@code SCHED_OTHER} thread is its EEVDF slice since 6.12 (older kernels read back 0).
 *
 * <p>Threads are named by kernel thread id ({@link Unistd#gettid()}); 0 is the calling thread. A Java
 * thread that changes its own class should be a dedicated platform thread: a virtual thread would
 * change its carrier.
 *
 * <p>Outcomes: "not permitted" is an expected answer of a system that may or may not grant real-time
 * classes, so {@link #sched_setattr} and the helpers built on it return {@code -EPERM} (and
 * {@code -EBUSY} for a {@code SCHED_DEADLINE} reservation that admission control refuses) instead of
 * throwing; a caller tests {@code rc == -Errno.EPERM}. Everything else (EINVAL for bad parameters,
 * ESRCH for a thread that is gone) is a bug or a race and throws {@link ErrnoException}.
 *
 * <p>Kernel rules worth knowing (sched(7), sched_setattr(2)), all seen on Linux 6.18 as root:
 * <ul>
 * <li>{@code SCHED_DEADLINE} is refused with EPERM, even to root, for a thread whose CPU affinity does
 *     not span its whole root domain (e.g. a thread pinned to one CPU of two). New threads inherit the
 *     affinity of the thread that starts them.</li>
 * <li>Narrowing the affinity of a {@code SCHED_DEADLINE} thread fails with EBUSY (thrown).</li>
 * <li>A {@code SCHED_DEADLINE} thread cannot start threads (clone fails with EAGAIN) unless it set
 *     {@link #SCHED_FLAG_RESET_ON_FORK}; the JVM reports that as an OutOfMemoryError.</li>
 * <li>runtime &le; deadline &le; period, runtime &ge; 1024 ns, else EINVAL.</li>
 * <li>A real-time thread that spins starves the other work of a small machine: real-time threads block
 *     between releases (DESIGN.md, "Hazards").</li>
 * </ul>
 */
@SuppressWarnings("restricted")
public final class Sched {
    public static final int SCHED_OTHER = 0;
    public static final int SCHED_FIFO = 1;
    public static final int SCHED_RR = 2;
    public static final int SCHED_BATCH = 3;
    public static final int SCHED_IDLE = 5;
    public static final int SCHED_DEADLINE = 6;

    public static final long SCHED_FLAG_RESET_ON_FORK = 0x01;
    public static final long SCHED_FLAG_RECLAIM = 0x02;
    public static final long SCHED_FLAG_DL_OVERRUN = 0x04;

    /** Number of CPUs a {@code cpu_set_t} can name. */
    public static final int CPU_SETSIZE = 1024;

    /** {@code struct sched_attr}, version 1 (56 bytes, with the utilisation clamps). Times are in ns. */
    public static final StructLayout SCHED_ATTR = MemoryLayout.structLayout(
            JAVA_INT.withName("size"),
            JAVA_INT.withName("sched_policy"),
            JAVA_LONG.withName("sched_flags"),
            JAVA_INT.withName("sched_nice"),
            JAVA_INT.withName("sched_priority"),
            JAVA_LONG.withName("sched_runtime"),
            JAVA_LONG.withName("sched_deadline"),
            JAVA_LONG.withName("sched_period"),
            JAVA_INT.withName("sched_util_min"),
            JAVA_INT.withName("sched_util_max")).withName("sched_attr");

    /** glibc's {@code cpu_set_t}: a bit per CPU, CPU n in bit n % 64 of word n / 64. */
    public static final StructLayout CPU_SET_T = MemoryLayout.structLayout(
            MemoryLayout.sequenceLayout(CPU_SETSIZE / Long.SIZE, JAVA_LONG).withName("__bits")).withName("cpu_set_t");

    static final long SIZE_OFFSET = SCHED_ATTR.byteOffset(groupElement("size"));
    static final long POLICY_OFFSET = SCHED_ATTR.byteOffset(groupElement("sched_policy"));
    static final long FLAGS_OFFSET = SCHED_ATTR.byteOffset(groupElement("sched_flags"));
    static final long NICE_OFFSET = SCHED_ATTR.byteOffset(groupElement("sched_nice"));
    static final long PRIORITY_OFFSET = SCHED_ATTR.byteOffset(groupElement("sched_priority"));
    static final long RUNTIME_OFFSET = SCHED_ATTR.byteOffset(groupElement("sched_runtime"));
    static final long DEADLINE_OFFSET = SCHED_ATTR.byteOffset(groupElement("sched_deadline"));
    static final long PERIOD_OFFSET = SCHED_ATTR.byteOffset(groupElement("sched_period"));

    private static final MethodHandle SCHED_SETATTR = Native.shim("dsi_sched_setattr",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle SCHED_GETATTR = Native.shim("dsi_sched_getattr",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    private static final MethodHandle SCHED_SETAFFINITY = Native.libc("sched_setaffinity",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS), Native.ERRNO);
    private static final MethodHandle SCHED_GETAFFINITY = Native.libc("sched_getaffinity",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS), Native.ERRNO);
    private static final MethodHandle SCHED_GET_PRIORITY_MIN = Native.libc("sched_get_priority_min",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT), Native.ERRNO);
    private static final MethodHandle SCHED_GET_PRIORITY_MAX = Native.libc("sched_get_priority_max",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT), Native.ERRNO);
    private static final MethodHandle SCHED_YIELD = Native.libc("sched_yield", FunctionDescriptor.of(JAVA_INT));

    private Sched() {
    }

    /**
     * sched_setattr(2) of thread {@code tid} from a {@link #SCHED_ATTR} segment ({@code size} is filled
     * in here). {@code flags} must be 0 (Linux has defined none).
     *
     * @return 0; {@code -EPERM} when not permitted (no CAP_SYS_NICE and over RLIMIT_RTPRIO, or
     *         {@code SCHED_DEADLINE} for a thread whose affinity does not span its root domain);
     *         {@code -EBUSY} when {@code SCHED_DEADLINE} admission control has no room for the reservation
     * @throws ErrnoException for any other failure (EINVAL: inconsistent parameters; ESRCH: no such thread)
     */
    public static int sched_setattr(int tid, MemorySegment attr, int flags) {
        requireSize(attr, SCHED_ATTR.byteSize(), "attr");
        attr.set(JAVA_INT, SIZE_OFFSET, (int) SCHED_ATTR.byteSize());
        long rc;
        try {
            rc = (long) SCHED_SETATTR.invokeExact(tid, attr, flags);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
        if (rc == -Errno.EPERM || rc == -Errno.EBUSY) {
            return (int) rc;
        }
        if (rc < 0) {
            throw ErrnoException.of("sched_setattr", (int) -rc, "tid", tid, "attr", SchedAttr.read(attr), "flags", flags);
        }
        return 0;
    }

    /** sched_getattr(2) of thread {@code tid} into a {@link #SCHED_ATTR} segment; {@code flags} must be 0. */
    public static void sched_getattr(int tid, MemorySegment attr, int flags) {
        requireSize(attr, SCHED_ATTR.byteSize(), "attr");
        long rc;
        try {
            rc = (long) SCHED_GETATTR.invokeExact(tid, attr, (int) SCHED_ATTR.byteSize(), flags);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
        if (rc < 0) {
            throw ErrnoException.of("sched_getattr", (int) -rc, "tid", tid, "flags", flags);
        }
    }

    /** Applies {@code attr} to thread {@code tid}; returns like {@link #sched_setattr}. */
    public static int setattr(int tid, SchedAttr attr) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment segment = arena.allocate(SCHED_ATTR);
            attr.write(segment);
            return sched_setattr(tid, segment, 0);
        }
    }

    /** {@code SCHED_FIFO} at {@code priority} (1..99); returns 0 or {@code -EPERM}. */
    public static int setFifo(int tid, int priority) {
        return setattr(tid, SchedAttr.fifo(priority));
    }

    /**
     * A {@code SCHED_DEADLINE} reservation of {@code runtimeNs} every {@code periodNs}, due
     * {@code deadlineNs} after each release; returns 0, {@code -EPERM} or {@code -EBUSY} (see
     * {@link #sched_setattr}).
     */
    public static int setDeadline(int tid, long runtimeNs, long deadlineNs, long periodNs) {
        return setattr(tid, SchedAttr.deadline(runtimeNs, deadlineNs, periodNs));
    }

    /**
     * Back to {@code SCHED_OTHER} at {@code nice} (-20..19) with the default slice. Leaving a real-time
     * class is always permitted; {@code -EPERM} only for a nice value below what RLIMIT_NICE allows.
     */
    public static int setOther(int tid, int nice) {
        return setattr(tid, SchedAttr.other(nice));
    }

    /** The scheduling class of thread {@code tid} as sched_getattr(2) reports it. */
    public static SchedAttr getattr(int tid) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment segment = arena.allocate(SCHED_ATTR);
            sched_getattr(tid, segment, 0);
            return SchedAttr.read(segment);
        }
    }

    /**
     * sched_setaffinity(2) from a {@link #CPU_SET_T}-shaped mask of {@code cpusetsize} bytes. Throws
     * EINVAL when the mask names no CPU this thread may use, EBUSY when it would narrow a
     * {@code SCHED_DEADLINE} thread.
     */
    public static void sched_setaffinity(int tid, long cpusetsize, MemorySegment mask) {
        requireSize(mask, cpusetsize, "mask");
        MemorySegment state = Errno.state();
        int rc;
        try {
            rc = (int) SCHED_SETAFFINITY.invokeExact(state, tid, cpusetsize, mask);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
        if (rc < 0) {
            throw ErrnoException.of("sched_setaffinity", Errno.read(state), "tid", tid, "cpusetsize", cpusetsize,
                    "cpus", toBitSet(mask));
        }
    }

    /** sched_getaffinity(2) (glibc's: returns nothing, zero-fills what the kernel did not write). */
    public static void sched_getaffinity(int tid, long cpusetsize, MemorySegment mask) {
        requireSize(mask, cpusetsize, "mask");
        MemorySegment state = Errno.state();
        int rc;
        try {
            rc = (int) SCHED_GETAFFINITY.invokeExact(state, tid, cpusetsize, mask);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
        if (rc < 0) {
            throw ErrnoException.of("sched_getaffinity", Errno.read(state), "tid", tid, "cpusetsize", cpusetsize);
        }
    }

    /** Restricts thread {@code tid} to {@code cpus} (CPU numbers below {@link #CPU_SETSIZE}). */
    public static void setAffinity(int tid, BitSet cpus) {
        if (cpus.isEmpty() || cpus.length() > CPU_SETSIZE) {
            throw new IllegalArgumentException("cpus must name 1 or more CPUs below " + CPU_SETSIZE + ": " + cpus);
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment mask = arena.allocate(CPU_SET_T);
            long[] words = cpus.toLongArray();
            MemorySegment.copy(words, 0, mask, JAVA_LONG, 0, words.length);
            sched_setaffinity(tid, mask.byteSize(), mask);
        }
    }

    /** Restricts thread {@code tid} to the listed CPUs. */
    public static void setAffinity(int tid, int... cpus) {
        BitSet set = new BitSet();
        for (int cpu : cpus) {
            if (cpu < 0 || cpu >= CPU_SETSIZE) {
                throw new IllegalArgumentException("CPU " + cpu + " is outside 0.." + (CPU_SETSIZE - 1));
            }
            set.set(cpu);
        }
        setAffinity(tid, set);
    }

    /** The CPUs thread {@code tid} may run on. */
    public static BitSet getAffinity(int tid) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment mask = arena.allocate(CPU_SET_T);
            sched_getaffinity(tid, mask.byteSize(), mask);
            return toBitSet(mask);
        }
    }

    /** The kernel writes through these pointers: a short segment would let it write past the end. */
    private static void requireSize(MemorySegment segment, long size, String name) {
        if (segment.byteSize() < size) {
            throw new IllegalArgumentException(name + " is " + segment.byteSize() + " bytes, needs " + size);
        }
    }

    private static BitSet toBitSet(MemorySegment mask) {
        return BitSet.valueOf(mask.toArray(JAVA_LONG));
    }

    /** sched_get_priority_min(2): 1 for the real-time policies, 0 for the others. */
    public static int sched_get_priority_min(int policy) {
        return priorityBound(SCHED_GET_PRIORITY_MIN, "sched_get_priority_min", policy);
    }

    /** sched_get_priority_max(2): 99 for the real-time policies on Linux, 0 for the others. */
    public static int sched_get_priority_max(int policy) {
        return priorityBound(SCHED_GET_PRIORITY_MAX, "sched_get_priority_max", policy);
    }

    private static int priorityBound(MethodHandle handle, String call, int policy) {
        MemorySegment state = Errno.state();
        int rc;
        try {
            rc = (int) handle.invokeExact(state, policy);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
        if (rc < 0) {
            throw ErrnoException.of(call, Errno.read(state), "policy", policy);
        }
        return rc;
    }

    /** sched_yield(2); always succeeds on Linux. */
    public static void sched_yield() {
        try {
            int rc = (int) SCHED_YIELD.invokeExact();
            assert rc == 0 : rc;
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /** {@code SCHED_FIFO} for 1, {@code policy N} for a number this class does not name. */
    public static String policyName(int policy) {
        return switch (policy) {
            case SCHED_OTHER -> "SCHED_OTHER";
            case SCHED_FIFO -> "SCHED_FIFO";
            case SCHED_RR -> "SCHED_RR";
            case SCHED_BATCH -> "SCHED_BATCH";
            case SCHED_IDLE -> "SCHED_IDLE";
            case SCHED_DEADLINE -> "SCHED_DEADLINE";
            default -> "policy " + policy;
        };
    }
}
