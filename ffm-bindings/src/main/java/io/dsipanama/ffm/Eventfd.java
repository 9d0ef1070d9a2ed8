package io.dsipanama.ffm;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

/**
 * {@code <sys/eventfd.h>}: eventfd(2) and glibc's eventfd_write(3), plus {@link #signal} and
 * {@link #drain}, the two halves of a wake-up channel that poll(2), epoll and io_uring can wait on.
 * {@code EFD_SEMAPHORE}, {@code EFD_CLOEXEC} and {@code EFD_NONBLOCK} need Linux 2.6.30.
 *
 * <p>The counter is an unsigned 64-bit value in C; here it is a {@code long}, so counts are expected to
 * stay far below 2<sup>63</sup> (a drained count that large would read as negative).
 *
 * <p>No allocation per call: {@link #signal} passes the value in a register (eventfd_write takes it by
 * value); {@link #drain(int)} reads into a per-thread 8-byte segment, made once per thread from an
 * automatic arena for the same reason as {@link Errno}'s capture state (the thread owns it, the garbage
 * collector frees it with the thread-local, no kernel resource is held). {@link #drain(int, MemorySegment)}
 * takes the caller's own segment instead.
 */
@SuppressWarnings("restricted")
public final class Eventfd {
    public static final int EFD_SEMAPHORE = 1;
    public static final int EFD_NONBLOCK = 04000;
    public static final int EFD_CLOEXEC = 02000000;

    private static final MethodHandle EVENTFD = Native.libc("eventfd",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), Native.ERRNO);
    private static final MethodHandle EVENTFD_WRITE = Native.libc("eventfd_write",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG), Native.ERRNO);
    private static final ThreadLocal<MemorySegment> COUNTER =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(JAVA_LONG));

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
     * eventfd_write(3): adds {@code value} to the counter. Returns 0, or {@code -EAGAIN} when the counter
     * would overflow on a non-blocking eventfd, or {@code -EINTR}.
     */
    public static int eventfd_write(int fd, long value) {
        MemorySegment state = Errno.state();
        int rc;
        try {
            rc = (int) EVENTFD_WRITE.invokeExact(state, fd, value);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
        if (rc < 0) {
            int errno = Errno.read(state);
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
        return drain(fd, COUNTER.get());
    }

    /** {@link #drain(int)} reading into {@code counter}, a native segment of at least 8 bytes. */
    public static long drain(int fd, MemorySegment counter) {
        if (counter.byteSize() < JAVA_LONG.byteSize()) {
            // the kernel writes 8 bytes whatever the segment's size
            throw new IllegalArgumentException("counter holds " + counter.byteSize() + " bytes, needs 8");
        }
        long rc = Unistd.read(fd, counter, JAVA_LONG.byteSize());
        // eventfd reads all 8 bytes or fails; a negative rc is -EAGAIN or -EINTR.
        return rc < 0 ? rc : counter.get(JAVA_LONG_UNALIGNED, 0);
    }
}
