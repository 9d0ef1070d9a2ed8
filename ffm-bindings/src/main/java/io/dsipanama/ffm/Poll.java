package io.dsipanama.ffm;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * {@code <poll.h>}: poll(2) over an array of {@link #POLLFD}. Any kernel we support; a pidfd
 * ({@link Pidfd}) is pollable since Linux 5.3.
 *
 * <p>The array is the caller's: {@code arena.allocate(Poll.POLLFD, n)}, filled with {@link #pollfd},
 * reused across calls (poll(2) writes only {@code revents}), so a poll loop allocates nothing.
 */
@SuppressWarnings("restricted")
public final class Poll {
    public static final int POLLIN = 0x001;
    public static final int POLLPRI = 0x002;
    public static final int POLLOUT = 0x004;
    public static final int POLLERR = 0x008;
    public static final int POLLHUP = 0x010;
    public static final int POLLNVAL = 0x020;

    /** {@code struct pollfd}. */
    public static final StructLayout POLLFD = MemoryLayout.structLayout(
            JAVA_INT.withName("fd"),
            JAVA_SHORT.withName("events"),
            JAVA_SHORT.withName("revents")).withName("pollfd");

    private static final VarHandle FD = POLLFD.varHandle(PathElement.groupElement("fd"));
    private static final VarHandle EVENTS = POLLFD.varHandle(PathElement.groupElement("events"));
    private static final VarHandle REVENTS = POLLFD.varHandle(PathElement.groupElement("revents"));

    private static final MethodHandle POLL = Native.libc("poll",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT), Native.ERRNO);

    private Poll() {
    }

    /**
     * poll(2): waits up to {@code timeoutMs} (negative: forever, 0: just look) until one of the first
     * {@code nfds} entries of {@code fds} is ready. Returns how many entries have non-zero {@code revents}
     * (0 at the timeout), or {@code -EINTR}.
     */
    public static int poll(MemorySegment fds, long nfds, int timeoutMs) {
        if (nfds < 0 || fds.byteSize() < nfds * POLLFD.byteSize()) {
            throw new IllegalArgumentException("fds holds " + fds.byteSize() / POLLFD.byteSize()
                    + " pollfds, nfds is " + nfds);
        }
        MemorySegment state = Errno.state();
        int rc;
        try {
            rc = (int) POLL.invokeExact(state, fds, nfds, timeoutMs);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
        if (rc < 0) {
            int errno = Errno.read(state);
            if (errno == Errno.EINTR) {
                return -errno;
            }
            throw ErrnoException.of("poll", errno, "fds", fds, "nfds", nfds, "timeoutMs", timeoutMs);
        }
        return rc;
    }

    /** Fills entry {@code index} of {@code fds}: watch {@code fd} for {@code events}, clear {@code revents}. */
    public static void pollfd(MemorySegment fds, long index, int fd, int events) {
        long base = index * POLLFD.byteSize();
        FD.set(fds, base, fd);
        EVENTS.set(fds, base, (short) events);
        REVENTS.set(fds, base, (short) 0);
    }

    /** The {@code revents} of entry {@code index} as poll(2) left them ({@code POLLIN}, {@code POLLHUP}, ...). */
    public static int revents(MemorySegment fds, long index) {
        return Short.toUnsignedInt((short) REVENTS.get(fds, index * POLLFD.byteSize()));
    }
}
