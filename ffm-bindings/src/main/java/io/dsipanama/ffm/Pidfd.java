package io.dsipanama.ffm;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * {@code <sys/pidfd.h>} ({@code <linux/pidfd.h>}): pidfd_open(2), and {@link #waitForExit}, which lets a
 * process wait for the death of another that is not its child (a stream's peer, say). pidfd_open and
 * polling a pidfd need Linux 5.3, {@code PIDFD_NONBLOCK} 5.10.
 *
 * <p>pidfd_open goes through the shim's {@code dsi_pidfd_open}: glibc wraps it only since 2.36.
 */
@SuppressWarnings("restricted")
public final class Pidfd {
    public static final int PIDFD_NONBLOCK = 04000;

    private static final MethodHandle PIDFD_OPEN = Native.shim("dsi_pidfd_open",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_INT));

    private Pidfd() {
    }

    /**
     * pidfd_open(2): a descriptor that refers to process {@code pid} (close it with {@link Unistd#close}).
     * Returns {@code -ESRCH} when no such process exists (it may have exited and been reaped already).
     */
    public static int pidfd_open(int pid, int flags) {
        long rc;
        try {
            rc = (long) PIDFD_OPEN.invokeExact(pid, flags);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
        if (rc < 0 && rc != -Errno.ESRCH) {
            throw ErrnoException.of("pidfd_open", (int) -rc, "pid", pid, "flags", flags);
        }
        return (int) rc;
    }

    /**
     * Waits until the process of {@code pidfd} has exited (its pidfd polls readable), for at most
     * {@code timeoutMs} (negative: forever). Returns true when it has exited, false at the timeout.
     * A signal that interrupts the wait does not end it early.
     */
    public static boolean waitForExit(int pidfd, long timeoutMs) {
        boolean forever = timeoutMs < 0 || timeoutMs > Long.MAX_VALUE / 4_000_000L; // ~73 years: forever
        long deadlineNs = forever ? 0 : Time.monotonicNs() + timeoutMs * 1_000_000L;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment fds = arena.allocate(Poll.POLLFD);
            Poll.pollfd(fds, 0, pidfd, Poll.POLLIN);
            while (true) {
                int waitMs = forever ? -1 : (int) Math.min(Integer.MAX_VALUE,
                        Math.max(0, ceilMs(deadlineNs - Time.monotonicNs())));
                int rc = Poll.poll(fds, 1, waitMs);
                if (rc > 0) {
                    if ((Poll.revents(fds, 0) & Poll.POLLNVAL) != 0) {
                        throw ErrnoException.of("poll", Errno.EBADF, "pidfd", pidfd);
                    }
                    return true;
                }
                if (rc == 0 && !forever && deadlineNs - Time.monotonicNs() <= 0) {
                    return false;
                }
            }
        }
    }

    private static long ceilMs(long ns) {
        return (ns + 999_999) / 1_000_000;
    }
}
