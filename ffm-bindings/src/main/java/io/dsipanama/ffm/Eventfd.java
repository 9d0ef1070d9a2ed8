package io.dsipanama.ffm;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

/**
 * {@code <sys/eventfd.h>}: eventfd(2), and the two halves of a wake-up channel that poll(2), epoll and
 * io_uring can wait on: {@link #signal} (write) and {@link #drain} (read).
 * {@code EFD_SEMAPHORE}, {@code EFD_CLOEXEC} and {@code EFD_NONBLOCK} need Linux 2.6.30.
 *
 * <p>The counter is an unsigned 64-bit value in C; here it is a {@code long}, so counts are expected to
 * stay far below 2<sup>63</sup> (the shim clamps a larger drained count to {@code Long.MAX_VALUE}).
 *
 * <p><b>No allocation per call, by construction.</b> Reads and writes go through the shim
 * ({@code dsi_eventfd_read}, {@code dsi_eventfd_write}), which keep the 8-byte value in their own frame and
 * return {@code -errno}: no buffer segment and no capture-state segment. A capture-state downcall makes
 * {@code SharedUtils.checkCaptureSegment} slice the state segment on every call; C2 removes that slice by
 * escape analysis, but a path run a few thousand times (an upcall's clear per job) stays in the interpreter
 * and C1, where each call allocated a {@code NativeMemorySegmentImpl} (seen with JFR in netio's upcall mode).
 */
@SuppressWarnings("restricted")
public final class Eventfd {
    public static final int EFD_SEMAPHORE = 1;
    public static final int EFD_NONBLOCK = 04000;
    public static final int EFD_CLOEXEC = 02000000;

    private static final MethodHandle EVENTFD = Native.libc("eventfd",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), Native.ERRNO);
    private static final MethodHandle READ = Native.shim("dsi_eventfd_read",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT));
    private static final MethodHandle WRITE = Native.shim("dsi_eventfd_write",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG));

    private Eventfd() {
    }

    /** eventfd(2): a new eventfd whose counter starts at {@code initval}. Close it with {@link Unistd#close}. */
    public static int eventfd(int initval, int flags) {
        MemorySegment state = Errno.state();
        int rc;
        try {
            rc = (int) EVENTFD.invokeExact(state, initval, flags);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
        if (rc < 0) {
            throw ErrnoException.of("eventfd", Errno.read(state), "initval", initval, "flags", flags);
        }
        return rc;
    }

    /**
     * write(2) of {@code value} to the counter (what glibc's eventfd_write(3) does). Returns 0, or
     * {@code -EAGAIN} when the counter would overflow on a non-blocking eventfd, or {@code -EINTR}.
     */
    public static int eventfd_write(int fd, long value) {
        long rc;
        try {
            rc = (long) WRITE.invokeExact(fd, value);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
        if (rc < 0) {
            int errno = (int) -rc;
            if (errno == Errno.EAGAIN || errno == Errno.EINTR) {
                return -errno;
            }
            throw ErrnoException.of("eventfd_write", errno, "fd", fd, "value", value);
        }
        return 0;
    }

    /** Adds {@code n >= 1} to the counter, waking a reader; returns as {@link #eventfd_write}. */
    public static int signal(int fd, long n) {
        if (n < 1) {
            throw new IllegalArgumentException("n must be >= 1: " + n);
        }
        return eventfd_write(fd, n);
    }

    /**
     * Reads the counter: returns the whole count and resets it to 0 (or, with {@link #EFD_SEMAPHORE},
     * returns 1 and decrements it). When the counter is 0 a blocking eventfd waits; a non-blocking one
     * returns {@code -EAGAIN}. {@code -EINTR} when a signal interrupted the wait.
     */
    public static long drain(int fd) {
        long rc;
        try {
            rc = (long) READ.invokeExact(fd);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
        if (rc < 0 && rc != -Errno.EAGAIN && rc != -Errno.EINTR) {
            throw ErrnoException.of("read", (int) -rc, "fd", fd, "count", 8);
        }
        return rc;
    }

    /** {@link #drain(int)} that also stores the count in {@code counter}, a native segment of at least 8 bytes. */
    public static long drain(int fd, MemorySegment counter) {
        if (counter.byteSize() < JAVA_LONG.byteSize()) {
            throw new IllegalArgumentException("counter holds " + counter.byteSize() + " bytes, needs 8");
        }
        long rc = drain(fd);
        if (rc >= 0) {
            counter.set(JAVA_LONG_UNALIGNED, 0, rc);
        }
        return rc;
    }
}
