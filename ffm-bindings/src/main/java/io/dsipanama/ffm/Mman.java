package io.dsipanama.ffm;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * {@code <sys/mman.h>}: mmap(2), munmap(2), mprotect(2), madvise(2), mlock(2), munlock(2), mlockall(2),
 * munlockall(2), memfd_create(2). {@code MADV_POPULATE_*} need Linux 5.14, {@code MFD_NOEXEC_SEAL} 6.3.
 *
 * <p>{@link #map} is the safe way in: the mapping belongs to an arena and is unmapped when the arena
 * closes, and FFM refuses access to it afterwards. The raw calls take and return addresses.
 */
@SuppressWarnings("restricted")
public final class Mman {
    public static final int PROT_NONE = 0x0;
    public static final int PROT_READ = 0x1;
    public static final int PROT_WRITE = 0x2;

    public static final int MAP_SHARED = 0x01;
    public static final int MAP_PRIVATE = 0x02;
    public static final int MAP_FIXED = 0x10;
    public static final int MAP_ANONYMOUS = 0x20;
    public static final int MAP_NORESERVE = 0x4000;
    public static final int MAP_POPULATE = 0x8000;

    public static final int MADV_NORMAL = 0;
    public static final int MADV_WILLNEED = 3;
    public static final int MADV_DONTNEED = 4;
    public static final int MADV_REMOVE = 9;
    public static final int MADV_DONTFORK = 10;
    public static final int MADV_POPULATE_READ = 22;
    public static final int MADV_POPULATE_WRITE = 23;

    public static final int MCL_CURRENT = 1;
    public static final int MCL_FUTURE = 2;
    public static final int MCL_ONFAULT = 4;

    public static final int MFD_CLOEXEC = 0x1;
    public static final int MFD_ALLOW_SEALING = 0x2;

    private static final MethodHandle MMAP = Native.libc("mmap", FunctionDescriptor.of(ADDRESS,
            ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG), Native.ERRNO);
    private static final MethodHandle MUNMAP = Native.libc("munmap",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG), Native.ERRNO);
    private static final MethodHandle MPROTECT = Native.libc("mprotect",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT), Native.ERRNO);
    private static final MethodHandle MADVISE = Native.libc("madvise",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT), Native.ERRNO);
    private static final MethodHandle MLOCK = Native.libc("mlock",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG), Native.ERRNO);
    private static final MethodHandle MUNLOCK = Native.libc("munlock",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG), Native.ERRNO);
    private static final MethodHandle MLOCKALL = Native.libc("mlockall",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT), Native.ERRNO);
    private static final MethodHandle MUNLOCKALL = Native.libc("munlockall",
            FunctionDescriptor.of(JAVA_INT), Native.ERRNO);
    private static final MethodHandle MEMFD_CREATE = Native.libc("memfd_create",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT), Native.ERRNO);

    private Mman() {
    }

    /**
     * Maps {@code length} bytes of {@code fd} at {@code offset} (or anonymous memory with fd -1) and ties
     * the mapping to {@code arena}: closing the arena unmaps it. Use a shared arena for memory that several
     * threads touch.
     */
    public static MemorySegment map(Arena arena, long length, int prot, int flags, int fd, long offset) {
        MemorySegment address = mmap(MemorySegment.NULL, length, prot, flags, fd, offset);
        return address.reinterpret(length, arena, Mman::unmapQuietly);
    }

    private static void unmapQuietly(MemorySegment segment) {
        munmap(segment, segment.byteSize());
    }

    /** mmap(2); returns the mapping's address as a zero-length segment. */
    public static MemorySegment mmap(MemorySegment addr, long length, int prot, int flags, int fd, long offset) {
        MemorySegment state = Errno.state();
        MemorySegment rc;
        try {
            rc = (MemorySegment) MMAP.invokeExact(state, addr, length, prot, flags, fd, offset);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
        if (rc.address() == -1L) {
            throw ErrnoException.of("mmap", Errno.read(state), "addr", addr, "length", length, "prot", prot,
                    "flags", flags, "fd", fd, "offset", offset);
        }
        return rc;
    }

    public static void munmap(MemorySegment addr, long length) {
        MemorySegment state = Errno.state();
        int rc;
        try {
            rc = (int) MUNMAP.invokeExact(state, addr, length);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
        check(rc, state, "munmap", addr, length, null, 0);
    }

    public static void mprotect(MemorySegment addr, long length, int prot) {
        MemorySegment state = Errno.state();
        int rc;
        try {
            rc = (int) MPROTECT.invokeExact(state, addr, length, prot);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
        check(rc, state, "mprotect", addr, length, "prot", prot);
    }

    /** madvise(2); returns {@code -EINVAL} for an advice this kernel does not know, so callers can fall back. */
    public static int madvise(MemorySegment addr, long length, int advice) {
        MemorySegment state = Errno.state();
        int rc;
        try {
            rc = (int) MADVISE.invokeExact(state, addr, length, advice);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
        if (rc < 0) {
            int errno = Errno.read(state);
            if (errno == Errno.EINVAL) {
                return -errno;
            }
            throw ErrnoException.of("madvise", errno, "addr", addr, "length", length, "advice", advice);
        }
        return 0;
    }

    /**
     * mlock(2). Fails with ENOMEM past {@code RLIMIT_MEMLOCK} (or EPERM when it is 0); the message names
     * the limit so the cause is obvious.
     */
    public static void mlock(MemorySegment addr, long length) {
        MemorySegment state = Errno.state();
        int rc;
        try {
            rc = (int) MLOCK.invokeExact(state, addr, length);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
        if (rc < 0) {
            int errno = Errno.read(state);
            throw ErrnoException.of("mlock", errno, "addr", addr, "length", length,
                    "hint", "RLIMIT_MEMLOCK too low? raise it with ulimit -l or run with CAP_IPC_LOCK");
        }
    }

    public static void munlock(MemorySegment addr, long length) {
        MemorySegment state = Errno.state();
        int rc;
        try {
            rc = (int) MUNLOCK.invokeExact(state, addr, length);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
        check(rc, state, "munlock", addr, length, null, 0);
    }

    public static void mlockall(int flags) {
        MemorySegment state = Errno.state();
        int rc;
        try {
            rc = (int) MLOCKALL.invokeExact(state, flags);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
        if (rc < 0) {
            throw ErrnoException.of("mlockall", Errno.read(state), "flags", flags,
                    "hint", "RLIMIT_MEMLOCK too low? raise it with ulimit -l or run with CAP_IPC_LOCK");
        }
    }

    public static void munlockall() {
        MemorySegment state = Errno.state();
        int rc;
        try {
            rc = (int) MUNLOCKALL.invokeExact(state);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
        if (rc < 0) {
            throw ErrnoException.of("munlockall", Errno.read(state));
        }
    }

    /** memfd_create(2): an anonymous shmem file; the name shows in /proc/PID/fd as {@code memfd:NAME}. */
    public static int memfd_create(String name, int flags) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Errno.state();
            int rc;
            try {
                rc = (int) MEMFD_CREATE.invokeExact(state, arena.allocateFrom(name), flags);
            } catch (Throwable t) {
                throw Native.rethrow(t);
            }
            if (rc < 0) {
                throw ErrnoException.of("memfd_create", Errno.read(state), "name", name, "flags", flags);
            }
            return rc;
        }
    }

    private static void check(int rc, MemorySegment state, String call, MemorySegment addr, long length,
                              String extraName, int extra) {
        if (rc < 0) {
            int errno = Errno.read(state);
            throw extraName == null
                    ? ErrnoException.of(call, errno, "addr", addr, "length", length)
                    : ErrnoException.of(call, errno, "addr", addr, "length", length, extraName, extra);
        }
    }
}
