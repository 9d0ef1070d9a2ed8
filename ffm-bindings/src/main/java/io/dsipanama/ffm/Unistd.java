package io.dsipanama.ffm;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * {@code <unistd.h>}: close(2), read(2), write(2), ftruncate(2), unlink(2), getpid(2), getuid(2), fchown(2),
 * sysconf(3); gettid(2)
 * through the shim (glibc wraps it, but the shim keeps one place for raw syscalls).
 */
@SuppressWarnings("restricted")
public final class Unistd {
    public static final int _SC_PAGESIZE = 30;
    public static final int _SC_NPROCESSORS_ONLN = 84;
    public static final int _SC_CLK_TCK = 2;

    private static final MethodHandle CLOSE = Native.libc("close",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT), Native.ERRNO);
    private static final MethodHandle READ = Native.libc("read",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG), Native.ERRNO);
    private static final MethodHandle WRITE = Native.libc("write",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG), Native.ERRNO);
    private static final MethodHandle FTRUNCATE = Native.libc("ftruncate",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG), Native.ERRNO);
    private static final MethodHandle UNLINK = Native.libc("unlink",
            FunctionDescriptor.of(JAVA_INT, ADDRESS), Native.ERRNO);
    private static final MethodHandle GETPID = Native.libc("getpid",
            FunctionDescriptor.of(JAVA_INT), Native.CRITICAL);
    private static final MethodHandle GETUID = Native.libc("getuid",
            FunctionDescriptor.of(JAVA_INT), Native.CRITICAL);
    private static final MethodHandle FCHOWN = Native.libc("fchown",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), Native.ERRNO);
    private static final MethodHandle SYSCONF = Native.libc("sysconf",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT), Native.ERRNO);
    private static final MethodHandle GETTID = Native.shim("dsi_gettid",
            FunctionDescriptor.of(JAVA_LONG), Native.CRITICAL);
    private static final MethodHandle PROC_START_TIME = Native.shim("dsi_proc_start_time",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_INT));

    private Unistd() {
    }

    /** close(2). EINTR is not retried (Linux closes the descriptor anyway). */
    public static void close(int fd) {
        MemorySegment state = Errno.state();
        int rc;
        try {
            rc = (int) CLOSE.invokeExact(state, fd);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
        if (rc < 0) {
            int errno = Errno.read(state);
            if (errno != Errno.EINTR) {
                throw ErrnoException.of("close", errno, "fd", fd);
            }
        }
    }

    /** read(2) into {@code buf}; returns bytes read, 0 at end of file, or {@code -EAGAIN}/{@code -EINTR}. */
    public static long read(int fd, MemorySegment buf, long count) {
        MemorySegment state = Errno.state();
        long rc;
        try {
            rc = (long) READ.invokeExact(state, fd, buf, count);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
        return rc >= 0 ? rc : expected("read", Errno.read(state), fd, count);
    }

    /** write(2) from {@code buf}; returns bytes written or {@code -EAGAIN}/{@code -EINTR}. */
    public static long write(int fd, MemorySegment buf, long count) {
        MemorySegment state = Errno.state();
        long rc;
        try {
            rc = (long) WRITE.invokeExact(state, fd, buf, count);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
        return rc >= 0 ? rc : expected("write", Errno.read(state), fd, count);
    }

    private static long expected(String call, int errno, int fd, long count) {
        if (errno == Errno.EAGAIN || errno == Errno.EINTR) {
            return -errno;
        }
        throw ErrnoException.of(call, errno, "fd", fd, "count", count);
    }

    /** ftruncate(2). */
    public static void ftruncate(int fd, long length) {
        MemorySegment state = Errno.state();
        int rc;
        try {
            rc = (int) FTRUNCATE.invokeExact(state, fd, length);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
        if (rc < 0) {
            throw ErrnoException.of("ftruncate", Errno.read(state), "fd", fd, "length", length);
        }
    }

    /** unlink(2); returns {@code -ENOENT} when there was nothing to remove. */
    public static int unlink(String path) {
        try (var arena = java.lang.foreign.Arena.ofConfined()) {
            MemorySegment state = Errno.state();
            int rc;
            try {
                rc = (int) UNLINK.invokeExact(state, arena.allocateFrom(path));
            } catch (Throwable t) {
                throw Native.rethrow(t);
            }
            if (rc < 0) {
                int errno = Errno.read(state);
                if (errno == Errno.ENOENT) {
                    return -errno;
                }
                throw ErrnoException.of("unlink", errno, "path", path);
            }
            return 0;
        }
    }

    public static int getpid() {
        try {
            return (int) GETPID.invokeExact();
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /** The real user id of the calling process (getuid(2) cannot fail). */
    public static int getuid() {
        try {
            return (int) GETUID.invokeExact();
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /** fchown(2): sets owner and group of the file open on {@code fd}; -1 leaves that id unchanged. */
    public static void fchown(int fd, int uid, int gid) {
        MemorySegment state = Errno.state();
        int rc;
        try {
            rc = (int) FCHOWN.invokeExact(state, fd, uid, gid);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
        if (rc < 0) {
            throw ErrnoException.of("fchown", Errno.read(state), "fd", fd, "uid", uid, "gid", gid);
        }
    }

    /** The kernel thread id of the calling thread (what sched_setattr(2) and /proc/PID/task take). */
    public static int gettid() {
        try {
            return (int) (long) GETTID.invokeExact();
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /**
     * The shim's {@code dsi_proc_start_time}: field 22 of {@code /proc/PID/stat} (start time in clock ticks since
     * boot), read and parsed in C without allocating; with {@code liveOnly}, a zombie counts as absent.
     * Returns -errno when there is no such process (or, with {@code liveOnly}, it is a zombie).
     */
    public static long procStartTime(int pid, boolean liveOnly) {
        try {
            return (long) PROC_START_TIME.invokeExact(pid, liveOnly ? 1 : 0);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    public static long sysconf(int name) {
        MemorySegment state = Errno.state();
        long rc;
        try {
            rc = (long) SYSCONF.invokeExact(state, name);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
        if (rc < 0) {
            throw ErrnoException.of("sysconf", Errno.read(state), "name", name);
        }
        return rc;
    }

    /** The page size, read once. */
    public static long pageSize() {
        return PageSize.VALUE;
    }

    private static final class PageSize {
        static final long VALUE = sysconf(_SC_PAGESIZE);
    }
}
