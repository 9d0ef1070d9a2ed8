package io.dsipanama.ffm;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * {@code <sys/resource.h>}: getrlimit(2), setrlimit(2) of the calling process; the limits that decide
 * what real-time work may do without privileges: {@code RLIMIT_MEMLOCK} (mlock), {@code RLIMIT_RTPRIO}
 * (highest real-time priority without CAP_SYS_NICE), {@code RLIMIT_RTTIME} (CPU microseconds a real-time
 * thread may use without blocking; Linux 2.6.25). Any Linux this project supports.
 *
 * <p>{@code rlim_t} is an unsigned 64-bit number; Java holds it in a {@code long}, so
 * {@link #RLIM_INFINITY} ({@code ~0}) is -1 here and no finite limit is negative.
 */
@SuppressWarnings("restricted")
public final class Resource {
    public static final int RLIMIT_NOFILE = 7;
    public static final int RLIMIT_MEMLOCK = 8;
    public static final int RLIMIT_RTPRIO = 14;
    public static final int RLIMIT_RTTIME = 15;

    /** {@code (rlim_t) -1}: no limit. */
    public static final long RLIM_INFINITY = -1L;

    /** {@code struct rlimit}. */
    public static final StructLayout RLIMIT = MemoryLayout.structLayout(
            JAVA_LONG.withName("rlim_cur"),
            JAVA_LONG.withName("rlim_max")).withName("rlimit");

    private static final long CUR_OFFSET = RLIMIT.byteOffset(groupElement("rlim_cur"));
    private static final long MAX_OFFSET = RLIMIT.byteOffset(groupElement("rlim_max"));

    private static final MethodHandle GETRLIMIT = Native.libc("getrlimit",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS), Native.ERRNO);
    private static final MethodHandle SETRLIMIT = Native.libc("setrlimit",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS), Native.ERRNO);

    private Resource() {
    }

    /** getrlimit(2) into an {@link #RLIMIT} segment. */
    public static void getrlimit(int resource, MemorySegment rlim) {
        requireSize(rlim);
        MemorySegment state = Errno.state();
        int rc;
        try {
            rc = (int) GETRLIMIT.invokeExact(state, resource, rlim);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
        if (rc < 0) {
            throw ErrnoException.of("getrlimit", Errno.read(state), "resource", resource);
        }
    }

    /**
     * setrlimit(2) from an {@link #RLIMIT} segment.
     *
     * @return 0, or {@code -EPERM} when raising the hard limit without CAP_SYS_RESOURCE (an expected
     *         answer for a process probing what it may have)
     * @throws ErrnoException for anything else, e.g. EINVAL for a soft limit above the hard limit
     */
    public static int setrlimit(int resource, MemorySegment rlim) {
        requireSize(rlim);
        MemorySegment state = Errno.state();
        int rc;
        try {
            rc = (int) SETRLIMIT.invokeExact(state, resource, rlim);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
        if (rc < 0) {
            int errno = Errno.read(state);
            if (errno == Errno.EPERM) {
                return -errno;
            }
            throw ErrnoException.of("setrlimit", errno, "resource", resource, "rlim", read(rlim));
        }
        return 0;
    }

    /** The soft and hard limit of {@code resource} for this process. */
    public static RLimit getrlimit(int resource) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment rlim = arena.allocate(RLIMIT);
            getrlimit(resource, rlim);
            return read(rlim);
        }
    }

    /** Sets both limits of {@code resource}; returns like {@link #setrlimit(int, MemorySegment)}. */
    public static int setrlimit(int resource, RLimit limit) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment rlim = arena.allocate(RLIMIT);
            rlim.set(JAVA_LONG, CUR_OFFSET, limit.cur());
            rlim.set(JAVA_LONG, MAX_OFFSET, limit.max());
            return setrlimit(resource, rlim);
        }
    }

    private static RLimit read(MemorySegment rlim) {
        return new RLimit(rlim.get(JAVA_LONG, CUR_OFFSET), rlim.get(JAVA_LONG, MAX_OFFSET));
    }

    private static void requireSize(MemorySegment rlim) {
        if (rlim.byteSize() < RLIMIT.byteSize()) {
            throw new IllegalArgumentException("rlim is " + rlim.byteSize() + " bytes, needs " + RLIMIT.byteSize());
        }
    }
}
