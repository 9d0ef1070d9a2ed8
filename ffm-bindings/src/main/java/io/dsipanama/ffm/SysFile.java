package io.dsipanama.ffm;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * {@code <sys/file.h>}: flock(2), any Linux this project supports. Named {@code SysFile}, not {@code File},
 * to stay clear of {@link java.io.File}.
 *
 * <p>Why flock and not fcntl record locks: a flock belongs to the open file description, so two
 * descriptors opened separately (even in one process) exclude each other, closing another descriptor of
 * the same file does not drop it (a POSIX record lock is dropped by any close of the file in the process),
 * and the kernel releases it when the last descriptor of the description closes, including when the
 * process dies. That last point is what makes it a lock that a killed process cannot leave held. Threads
 * sharing one descriptor share its lock: callers serialise them in Java first.
 */
@SuppressWarnings("restricted")
public final class SysFile {
    public static final int LOCK_SH = 1;
    public static final int LOCK_EX = 2;
    public static final int LOCK_NB = 4;
    public static final int LOCK_UN = 8;

    private static final MethodHandle FLOCK = Native.libc("flock",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), Native.ERRNO);

    private SysFile() {
    }

    /**
     * flock(2): {@link #LOCK_SH}, {@link #LOCK_EX} or {@link #LOCK_UN}, optionally with {@link #LOCK_NB}.
     * Returns 0, {@code -EAGAIN} (EWOULDBLOCK) when {@code LOCK_NB} was given and the lock is held
     * elsewhere, or {@code -EINTR} when a signal interrupted a blocking wait; throws for anything else
     * (EBADF, EINVAL, ENOLCK).
     */
    public static int flock(int fd, int operation) {
        MemorySegment state = Errno.state();
        int rc;
        try {
            rc = (int) FLOCK.invokeExact(state, fd, operation);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
        if (rc < 0) {
            int errno = Errno.read(state);
            if (errno == Errno.EAGAIN || errno == Errno.EINTR) {
                return -errno;
            }
            throw ErrnoException.of("flock", errno, "fd", fd, "operation", operation);
        }
        return 0;
    }
}
