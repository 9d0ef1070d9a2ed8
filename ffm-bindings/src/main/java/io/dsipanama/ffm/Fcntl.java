package io.dsipanama.ffm;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * {@code <fcntl.h>}: open(2), fcntl(2), fallocate(2). open and fcntl are variadic in C; their handles
 * name the first variadic argument ({@link Linker.Option#firstVariadicArg}) so the mode or argument is
 * passed as the ABI requires. {@code FALLOC_FL_PUNCH_HOLE} on shmem needs Linux 3.5.
 */
@SuppressWarnings("restricted")
public final class Fcntl {
    public static final int O_RDONLY = 00;
    public static final int O_WRONLY = 01;
    public static final int O_RDWR = 02;
    public static final int O_CREAT = 0100;
    public static final int O_EXCL = 0200;
    public static final int O_TRUNC = 01000;
    public static final int O_NONBLOCK = 04000;
    public static final int O_DIRECTORY = 0200000;
    public static final int O_NOFOLLOW = 0400000;
    public static final int O_CLOEXEC = 02000000;

    public static final int F_GETFL = 3;
    public static final int F_SETFL = 4;

    public static final int FALLOC_FL_KEEP_SIZE = 0x01;
    public static final int FALLOC_FL_PUNCH_HOLE = 0x02;

    private static final MethodHandle OPEN = Native.libc("open",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT),
            Native.ERRNO, Linker.Option.firstVariadicArg(2));
    private static final MethodHandle FCNTL = Native.libc("fcntl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT),
            Native.ERRNO, Linker.Option.firstVariadicArg(2));
    private static final MethodHandle FALLOCATE = Native.libc("fallocate",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG), Native.ERRNO);

    private Fcntl() {
    }

    /**
     * open(2). Returns the descriptor, or {@code -ENOENT} / {@code -EEXIST} (the outcomes a caller creating
     * or opening a named file must tell apart); anything else throws.
     */
    public static int open(String path, int flags, int mode) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Errno.state();
            int rc;
            try {
                rc = (int) OPEN.invokeExact(state, arena.allocateFrom(path), flags, mode);
            } catch (Throwable t) {
                throw Native.rethrow(t);
            }
            if (rc < 0) {
                int errno = Errno.read(state);
                if (errno == Errno.ENOENT || errno == Errno.EEXIST) {
                    return -errno;
                }
                throw ErrnoException.of("open", errno, "path", path, "flags", flags, "mode", Integer.toOctalString(mode));
            }
            return rc;
        }
    }

    /** fcntl(2) with an int argument (F_GETFL, F_SETFL, ...). */
    public static int fcntl(int fd, int cmd, int arg) {
        MemorySegment state = Errno.state();
        int rc;
        try {
            rc = (int) FCNTL.invokeExact(state, fd, cmd, arg);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
        if (rc < 0) {
            throw ErrnoException.of("fcntl", Errno.read(state), "fd", fd, "cmd", cmd, "arg", arg);
        }
        return rc;
    }

    /**
     * fallocate(2). With {@code FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE} on a shmem file the pages are
     * freed and unmapped from every process that maps them; their next access reads zeros (or faults into
     * a userfaultfd that watches the range).
     */
    public static void fallocate(int fd, int mode, long offset, long length) {
        MemorySegment state = Errno.state();
        int rc;
        try {
            rc = (int) FALLOCATE.invokeExact(state, fd, mode, offset, length);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
        if (rc < 0) {
            throw ErrnoException.of("fallocate", Errno.read(state), "fd", fd, "mode", mode,
                    "offset", offset, "length", length);
        }
    }
}
