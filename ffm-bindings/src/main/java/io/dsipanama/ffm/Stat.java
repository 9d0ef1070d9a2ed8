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

/**
 * {@code <sys/stat.h>}: fstat(2), fchmod(2), the file-type and permission bits. Any kernel we support.
 *
 * <p>{@link #STAT} is glibc's x86_64 {@code struct stat} (the kernel's {@code struct stat} of
 * {@code arch/x86/include/uapi/asm/stat.h}, 144 bytes); glibc 2.33 and later export {@code fstat} as a
 * function, so it is bound directly. Allocate a buffer with {@code arena.allocate(Stat.STAT)}, fill it
 * with {@link #fstat}, read it with the accessors named after the fields.
 */
@SuppressWarnings("restricted")
public final class Stat {
    public static final int S_IFMT = 0170000;
    public static final int S_IFDIR = 0040000;
    public static final int S_IFREG = 0100000;
    public static final int S_IRUSR = 0400;
    public static final int S_IWUSR = 0200;
    public static final int S_IRGRP = 040;
    public static final int S_IWGRP = 020;

    /** {@code struct stat} (x86_64); the three times are {@link Time#TIMESPEC}s. */
    public static final StructLayout STAT = MemoryLayout.structLayout(
            JAVA_LONG.withName("st_dev"),
            JAVA_LONG.withName("st_ino"),
            JAVA_LONG.withName("st_nlink"),
            JAVA_INT.withName("st_mode"),
            JAVA_INT.withName("st_uid"),
            JAVA_INT.withName("st_gid"),
            MemoryLayout.paddingLayout(4), // __pad0
            JAVA_LONG.withName("st_rdev"),
            JAVA_LONG.withName("st_size"),
            JAVA_LONG.withName("st_blksize"),
            JAVA_LONG.withName("st_blocks"),
            Time.TIMESPEC.withName("st_atim"),
            Time.TIMESPEC.withName("st_mtim"),
            Time.TIMESPEC.withName("st_ctim"),
            MemoryLayout.paddingLayout(3 * JAVA_LONG.byteSize())) // __glibc_reserved[3]
            .withName("stat");

    private static final VarHandle ST_MODE = field("st_mode");
    private static final VarHandle ST_UID = field("st_uid");
    private static final VarHandle ST_SIZE = field("st_size");
    private static final VarHandle ST_BLOCKS = field("st_blocks");

    private static final MethodHandle FSTAT = Native.libc("fstat",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS), Native.ERRNO);
    private static final MethodHandle FCHMOD = Native.libc("fchmod",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), Native.ERRNO);

    private Stat() {
    }

    /** fstat(2) into {@code statbuf}, a segment of at least {@link #STAT}'s size. */
    public static void fstat(int fd, MemorySegment statbuf) {
        if (statbuf.byteSize() < STAT.byteSize()) {
            throw new IllegalArgumentException("statbuf holds " + statbuf.byteSize() + " bytes, struct stat needs "
                    + STAT.byteSize());
        }
        MemorySegment state = Errno.state();
        int rc;
        try {
            rc = (int) FSTAT.invokeExact(state, fd, statbuf);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
        if (rc < 0) {
            throw ErrnoException.of("fstat", Errno.read(state), "fd", fd);
        }
    }

    /** fchmod(2): sets the permission bits of the file open on {@code fd}. */
    public static void fchmod(int fd, int mode) {
        MemorySegment state = Errno.state();
        int rc;
        try {
            rc = (int) FCHMOD.invokeExact(state, fd, mode);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
        if (rc < 0) {
            throw ErrnoException.of("fchmod", Errno.read(state), "fd", fd, "mode", "0" + Integer.toOctalString(mode));
        }
    }

    /** {@code st_mode}: file type ({@code & S_IFMT}) and permission bits ({@code & 07777}). */
    public static int st_mode(MemorySegment stat) {
        return (int) ST_MODE.get(stat, 0L);
    }

    /** {@code st_uid}: the owner's user id. */
    public static int st_uid(MemorySegment stat) {
        return (int) ST_UID.get(stat, 0L);
    }

    /** {@code st_size}: the length in bytes. */
    public static long st_size(MemorySegment stat) {
        return (long) ST_SIZE.get(stat, 0L);
    }

    /** {@code st_blocks}: storage allocated, in 512-byte units (whatever {@code st_blksize} says). */
    public static long st_blocks(MemorySegment stat) {
        return (long) ST_BLOCKS.get(stat, 0L);
    }

    private static VarHandle field(String name) {
        return STAT.varHandle(PathElement.groupElement(name));
    }
}
