package io.dsipanama.ffm;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * {@code <linux/userfaultfd.h>}: userfaultfd(2) and the ioctls of ioctl_userfaultfd(2).
 *
 * <p>Minimum kernels: userfaultfd, MISSING mode on anonymous memory and {@code UFFDIO_COPY}/{@code ZEROPAGE}
 * 4.3; MISSING on shmem, {@code EVENT_REMOVE/FORK/REMAP/UNMAP} 4.11; {@code THREAD_ID}, {@code SIGBUS} 4.14;
 * WP mode on anonymous memory 5.7; {@code UFFD_USER_MODE_ONLY} 5.11; MINOR mode and {@code UFFDIO_CONTINUE}
 * 5.13 (hugetlbfs), {@code MINOR_SHMEM} 5.14; {@code EXACT_ADDRESS} 5.18; {@code WP_HUGETLBFS_SHMEM} (WP on
 * shmem) 5.19; {@code /dev/userfaultfd} 6.1; {@code WP_UNPOPULATED} 6.4 (from {@code dsi_uapi_compat.h} when
 * the build machine's headers are older).
 *
 * <p>Never resolve faults from a Java thread (DESIGN.md, "Hazards"): a Java thread blocked in a fault holds
 * up every safepoint, so a Java resolver deadlocks the JVM. {@link UffdResolver} resolves them on a native
 * thread. The range ioctls here are for setting up (registering, write-protecting) and for tests; each
 * allocates its argument struct in a confined arena, so keep them off hot paths.
 *
 * <p>Registering a {@code MAP_SHARED} mapping needs a descriptor opened for writing (the kernel checks
 * {@code VM_MAYWRITE}, since {@code UFFDIO_COPY}/{@code ZEROPAGE} fill holes in the file) even when the
 * mapping itself is {@code PROT_READ}; otherwise {@code UFFDIO_REGISTER} fails with EPERM.
 */
@SuppressWarnings("restricted")
public final class Userfaultfd {
    public static final long UFFD_API = 0xAA;
    /** userfaultfd(2) flag: handle only faults from user mode (allowed unprivileged, Linux 5.11). */
    public static final int UFFD_USER_MODE_ONLY = 1;

    public static final long UFFD_FEATURE_PAGEFAULT_FLAG_WP = 1L << 0;
    public static final long UFFD_FEATURE_EVENT_FORK = 1L << 1;
    public static final long UFFD_FEATURE_EVENT_REMAP = 1L << 2;
    public static final long UFFD_FEATURE_EVENT_REMOVE = 1L << 3;
    public static final long UFFD_FEATURE_MISSING_HUGETLBFS = 1L << 4;
    public static final long UFFD_FEATURE_MISSING_SHMEM = 1L << 5;
    public static final long UFFD_FEATURE_EVENT_UNMAP = 1L << 6;
    public static final long UFFD_FEATURE_SIGBUS = 1L << 7;
    public static final long UFFD_FEATURE_THREAD_ID = 1L << 8;
    public static final long UFFD_FEATURE_MINOR_HUGETLBFS = 1L << 9;
    public static final long UFFD_FEATURE_MINOR_SHMEM = 1L << 10;
    public static final long UFFD_FEATURE_EXACT_ADDRESS = 1L << 11;
    public static final long UFFD_FEATURE_WP_HUGETLBFS_SHMEM = 1L << 12;
    public static final long UFFD_FEATURE_WP_UNPOPULATED = 1L << 13;

    public static final long UFFDIO_REGISTER_MODE_MISSING = 1L << 0;
    public static final long UFFDIO_REGISTER_MODE_WP = 1L << 1;
    public static final long UFFDIO_REGISTER_MODE_MINOR = 1L << 2;
    public static final long UFFDIO_COPY_MODE_DONTWAKE = 1L << 0;
    public static final long UFFDIO_COPY_MODE_WP = 1L << 1;
    public static final long UFFDIO_ZEROPAGE_MODE_DONTWAKE = 1L << 0;
    public static final long UFFDIO_WRITEPROTECT_MODE_WP = 1L << 0;
    public static final long UFFDIO_WRITEPROTECT_MODE_DONTWAKE = 1L << 1;
    public static final long UFFDIO_CONTINUE_MODE_DONTWAKE = 1L << 0;

    public static final int UFFD_EVENT_PAGEFAULT = 0x12;
    public static final int UFFD_EVENT_FORK = 0x13;
    public static final int UFFD_EVENT_REMAP = 0x14;
    public static final int UFFD_EVENT_REMOVE = 0x15;
    public static final int UFFD_EVENT_UNMAP = 0x16;
    public static final long UFFD_PAGEFAULT_FLAG_WRITE = 1L << 0;
    public static final long UFFD_PAGEFAULT_FLAG_WP = 1L << 1;
    public static final long UFFD_PAGEFAULT_FLAG_MINOR = 1L << 2;

    /** ioctl request numbers ({@code _IOWR(0xAA, nr, struct)}: direction and struct size folded in). */
    public static final long UFFDIO_API = 0xC018AA3FL;
    public static final long UFFDIO_REGISTER = 0xC020AA00L;
    public static final long UFFDIO_UNREGISTER = 0x8010AA01L;
    public static final long UFFDIO_WAKE = 0x8010AA02L;
    public static final long UFFDIO_COPY = 0xC028AA03L;
    public static final long UFFDIO_ZEROPAGE = 0xC020AA04L;
    public static final long UFFDIO_WRITEPROTECT = 0xC018AA06L;
    public static final long UFFDIO_CONTINUE = 0xC020AA07L;
    /** Bit numbers of the ioctls in the masks that UFFDIO_API and UFFDIO_REGISTER return: {@code 1L << _UFFDIO_COPY}. */
    public static final int _UFFDIO_REGISTER = 0x00;
    public static final int _UFFDIO_UNREGISTER = 0x01;
    public static final int _UFFDIO_WAKE = 0x02;
    public static final int _UFFDIO_COPY = 0x03;
    public static final int _UFFDIO_ZEROPAGE = 0x04;
    public static final int _UFFDIO_WRITEPROTECT = 0x06;
    public static final int _UFFDIO_CONTINUE = 0x07;
    public static final int _UFFDIO_API = 0x3F;

    public static final StructLayout UFFDIO_API_LAYOUT = MemoryLayout.structLayout(
            JAVA_LONG.withName("api"), JAVA_LONG.withName("features"), JAVA_LONG.withName("ioctls"))
            .withName("uffdio_api");
    public static final StructLayout UFFDIO_RANGE_LAYOUT = MemoryLayout.structLayout(
            JAVA_LONG.withName("start"), JAVA_LONG.withName("len")).withName("uffdio_range");
    public static final StructLayout UFFDIO_REGISTER_LAYOUT = MemoryLayout.structLayout(
            UFFDIO_RANGE_LAYOUT.withName("range"), JAVA_LONG.withName("mode"), JAVA_LONG.withName("ioctls"))
            .withName("uffdio_register");
    public static final StructLayout UFFDIO_COPY_LAYOUT = MemoryLayout.structLayout(
            JAVA_LONG.withName("dst"), JAVA_LONG.withName("src"), JAVA_LONG.withName("len"),
            JAVA_LONG.withName("mode"), JAVA_LONG.withName("copy")).withName("uffdio_copy");
    public static final StructLayout UFFDIO_ZEROPAGE_LAYOUT = MemoryLayout.structLayout(
            UFFDIO_RANGE_LAYOUT.withName("range"), JAVA_LONG.withName("mode"), JAVA_LONG.withName("zeropage"))
            .withName("uffdio_zeropage");
    public static final StructLayout UFFDIO_WRITEPROTECT_LAYOUT = MemoryLayout.structLayout(
            UFFDIO_RANGE_LAYOUT.withName("range"), JAVA_LONG.withName("mode")).withName("uffdio_writeprotect");
    public static final StructLayout UFFDIO_CONTINUE_LAYOUT = MemoryLayout.structLayout(
            UFFDIO_RANGE_LAYOUT.withName("range"), JAVA_LONG.withName("mode"), JAVA_LONG.withName("mapped"))
            .withName("uffdio_continue");

    /**
     * {@code struct uffd_msg}, 32 bytes, {@code __attribute__((packed))} in C; every member happens to sit at
     * its natural alignment, so this plain layout has the same offsets (the probe checks them). The union
     * {@code arg} holds one struct per event kind; {@code pagefault.feat} is a union of one {@code __u32}.
     * Only the native resolver reads these; the layout documents and checks what it reads.
     */
    public static final StructLayout UFFD_MSG_LAYOUT = MemoryLayout.structLayout(
            JAVA_BYTE.withName("event"), JAVA_BYTE.withName("reserved1"), JAVA_SHORT.withName("reserved2"),
            JAVA_INT.withName("reserved3"),
            MemoryLayout.unionLayout(
                    MemoryLayout.structLayout(JAVA_LONG.withName("flags"), JAVA_LONG.withName("address"),
                            MemoryLayout.unionLayout(JAVA_INT.withName("ptid")).withName("feat"),
                            MemoryLayout.paddingLayout(4)).withName("pagefault"),
                    MemoryLayout.structLayout(JAVA_INT.withName("ufd")).withName("fork"),
                    MemoryLayout.structLayout(JAVA_LONG.withName("from"), JAVA_LONG.withName("to"),
                            JAVA_LONG.withName("len")).withName("remap"),
                    MemoryLayout.structLayout(JAVA_LONG.withName("start"), JAVA_LONG.withName("end"))
                            .withName("remove")).withName("arg"))
            .withName("uffd_msg");

    private static final long API_API = UFFDIO_API_LAYOUT.byteOffset(groupElement("api"));
    private static final long API_FEATURES = UFFDIO_API_LAYOUT.byteOffset(groupElement("features"));
    private static final long API_IOCTLS = UFFDIO_API_LAYOUT.byteOffset(groupElement("ioctls"));
    private static final long RANGE_START = UFFDIO_RANGE_LAYOUT.byteOffset(groupElement("start"));
    private static final long RANGE_LEN = UFFDIO_RANGE_LAYOUT.byteOffset(groupElement("len"));
    // range, mode and the kernel's answer sit at the same offsets in register, zeropage, continue, writeprotect
    private static final long REG_RANGE = UFFDIO_REGISTER_LAYOUT.byteOffset(groupElement("range"));
    private static final long REG_MODE = UFFDIO_REGISTER_LAYOUT.byteOffset(groupElement("mode"));
    private static final long REG_IOCTLS = UFFDIO_REGISTER_LAYOUT.byteOffset(groupElement("ioctls"));
    private static final long ZERO_RANGE = UFFDIO_ZEROPAGE_LAYOUT.byteOffset(groupElement("range"));
    private static final long ZERO_MODE = UFFDIO_ZEROPAGE_LAYOUT.byteOffset(groupElement("mode"));
    private static final long ZERO_ZEROPAGE = UFFDIO_ZEROPAGE_LAYOUT.byteOffset(groupElement("zeropage"));
    private static final long CONT_RANGE = UFFDIO_CONTINUE_LAYOUT.byteOffset(groupElement("range"));
    private static final long CONT_MODE = UFFDIO_CONTINUE_LAYOUT.byteOffset(groupElement("mode"));
    private static final long CONT_MAPPED = UFFDIO_CONTINUE_LAYOUT.byteOffset(groupElement("mapped"));
    private static final long WP_RANGE = UFFDIO_WRITEPROTECT_LAYOUT.byteOffset(groupElement("range"));
    private static final long WP_MODE = UFFDIO_WRITEPROTECT_LAYOUT.byteOffset(groupElement("mode"));
    private static final long COPY_DST = UFFDIO_COPY_LAYOUT.byteOffset(groupElement("dst"));
    private static final long COPY_SRC = UFFDIO_COPY_LAYOUT.byteOffset(groupElement("src"));
    private static final long COPY_LEN = UFFDIO_COPY_LAYOUT.byteOffset(groupElement("len"));
    private static final long COPY_MODE = UFFDIO_COPY_LAYOUT.byteOffset(groupElement("mode"));
    private static final long COPY_COPY = UFFDIO_COPY_LAYOUT.byteOffset(groupElement("copy"));

    private static final MethodHandle USERFAULTFD = Native.shim("dsi_userfaultfd",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT));
    private static final MethodHandle USERFAULTFD_SYSCALL = Native.shim("dsi_userfaultfd_syscall",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT));
    private static final MethodHandle USERFAULTFD_DEV = Native.shim("dsi_userfaultfd_dev",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT));
    private static final MethodHandle IOCTL = Native.shim("dsi_ioctl",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, ADDRESS));

    private Userfaultfd() {
    }

    /** What the UFFDIO_API handshake reported: every feature and ioctl this kernel offers. */
    public record Api(long features, long ioctls) {
        public boolean has(long feature) {
            return (features & feature) == feature;
        }

        @Override
        public String toString() {
            return "features=0x" + Long.toHexString(features) + ", ioctls=0x" + Long.toHexString(ioctls);
        }
    }

    /**
     * A new userfaultfd: userfaultfd(2), or {@code /dev/userfaultfd} when the syscall is refused with EPERM
     * (or missing). {@code flags}: {@code O_CLOEXEC}, {@code O_NONBLOCK} (needed by {@link UffdResolver}),
     * {@link #UFFD_USER_MODE_ONLY}. Follow it with {@link #api}.
     */
    public static int userfaultfd(int flags) {
        long rc;
        try {
            rc = (long) USERFAULTFD.invokeExact(flags);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
        if (rc < 0) {
            int errno = (int) -rc;
            throw errno == Errno.EPERM
                    ? ErrnoException.of("userfaultfd", errno, "flags", flags, "hint", "vm.unprivileged_userfaultfd=0 "
                    + "and no CAP_SYS_PTRACE: pass UFFD_USER_MODE_ONLY, or give this user read-write access to /dev/userfaultfd")
                    : ErrnoException.of("userfaultfd", errno, "flags", flags);
        }
        return (int) rc;
    }

    /** userfaultfd(2) only; the descriptor or -errno (for {@link UserfaultfdFeatures}, which reports the door). */
    static long userfaultfdSyscall(int flags) {
        try {
            return (long) USERFAULTFD_SYSCALL.invokeExact(flags);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /** {@code ioctl(open("/dev/userfaultfd"), USERFAULTFD_IOC_NEW, flags)} only; the descriptor or -errno. */
    static long userfaultfdDevice(int flags) {
        try {
            return (long) USERFAULTFD_DEV.invokeExact(flags);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /**
     * The UFFDIO_API handshake, once per descriptor: enables {@code features} (each must be offered, else
     * EINVAL) and returns everything the kernel offers, requested or not. A second call fails with EINVAL,
     * so probe with a throw-away descriptor when the features to ask for depend on the answer.
     */
    public static Api api(int fd, long features) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(UFFDIO_API_LAYOUT);
            s.set(JAVA_LONG, API_API, UFFD_API);
            s.set(JAVA_LONG, API_FEATURES, features);
            long rc = ioctl(fd, UFFDIO_API, s);
            if (rc < 0) {
                // Linux >= 5.x writes what it offers before it refuses a feature it lacks.
                throw ErrnoException.of("UFFDIO_API", (int) -rc, "fd", fd, "features", hex(features),
                        "offered", hex(s.get(JAVA_LONG, API_FEATURES)),
                        "hint", "UFFDIO_API is allowed once per descriptor, with offered features only");
            }
            return new Api(s.get(JAVA_LONG, API_FEATURES), s.get(JAVA_LONG, API_IOCTLS));
        }
    }

    /**
     * UFFDIO_REGISTER: watch {@code [addr, addr + len)} (page-aligned) in {@code mode}
     * ({@code UFFDIO_REGISTER_MODE_*}); returns the mask of ioctls usable on the range ({@code 1L << _UFFDIO_*}).
     */
    public static long register(int fd, MemorySegment addr, long len, long mode) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(UFFDIO_REGISTER_LAYOUT);
            range(s, REG_RANGE, addr, len);
            s.set(JAVA_LONG, REG_MODE, mode);
            long rc = ioctl(fd, UFFDIO_REGISTER, s);
            if (rc < 0) {
                throw ErrnoException.of("UFFDIO_REGISTER", (int) -rc, "fd", fd, "addr", addr, "len", len, "mode", mode);
            }
            return s.get(JAVA_LONG, REG_IOCTLS);
        }
    }

    /** UFFDIO_UNREGISTER; threads blocked on faults in the range are woken and retry without the uffd. */
    public static void unregister(int fd, MemorySegment addr, long len) {
        rangeIoctl("UFFDIO_UNREGISTER", UFFDIO_UNREGISTER, fd, addr, len);
    }

    /** UFFDIO_WAKE: wakes threads blocked on faults in the range (after a {@code *_MODE_DONTWAKE} resolution). */
    public static void wake(int fd, MemorySegment addr, long len) {
        rangeIoctl("UFFDIO_WAKE", UFFDIO_WAKE, fd, addr, len);
    }

    /**
     * UFFDIO_COPY: fills missing pages at {@code dst} with {@code len} bytes from {@code src}. Returns the
     * bytes copied (fewer than {@code len} when the kernel stopped with EAGAIN: retry the rest), or
     * {@code -EEXIST} (a page is already there) / {@code -EAGAIN} (the address space is changing) when none.
     */
    public static long copy(int fd, MemorySegment dst, MemorySegment src, long len, long mode) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(UFFDIO_COPY_LAYOUT);
            s.set(JAVA_LONG, COPY_DST, dst.address());
            s.set(JAVA_LONG, COPY_SRC, src.address());
            s.set(JAVA_LONG, COPY_LEN, len);
            s.set(JAVA_LONG, COPY_MODE, mode);
            long rc = ioctl(fd, UFFDIO_COPY, s);
            return rc < 0 ? filled("UFFDIO_COPY", rc, s.get(JAVA_LONG, COPY_COPY), fd, dst, len, mode) : len;
        }
    }

    /**
     * UFFDIO_ZEROPAGE: fills missing pages with zeros. On shmem this allocates zeroed pages into the file,
     * visible to every process mapping it. Returns as {@link #copy} does.
     */
    public static long zeropage(int fd, MemorySegment addr, long len, long mode) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(UFFDIO_ZEROPAGE_LAYOUT);
            range(s, ZERO_RANGE, addr, len);
            s.set(JAVA_LONG, ZERO_MODE, mode);
            long rc = ioctl(fd, UFFDIO_ZEROPAGE, s);
            return rc < 0 ? filled("UFFDIO_ZEROPAGE", rc, s.get(JAVA_LONG, ZERO_ZEROPAGE), fd, addr, len, mode) : len;
        }
    }

    /**
     * UFFDIO_CONTINUE: maps the pages already in the page cache behind a MINOR fault. Returns as {@link #copy}
     * does, plus {@code -EFAULT}: no page in the page cache at that offset (a hole was punched).
     */
    public static long continue_(int fd, MemorySegment addr, long len, long mode) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(UFFDIO_CONTINUE_LAYOUT);
            range(s, CONT_RANGE, addr, len);
            s.set(JAVA_LONG, CONT_MODE, mode);
            long rc = ioctl(fd, UFFDIO_CONTINUE, s);
            if (rc == -Errno.EFAULT) {
                return rc;
            }
            return rc < 0 ? filled("UFFDIO_CONTINUE", rc, s.get(JAVA_LONG, CONT_MAPPED), fd, addr, len, mode) : len;
        }
    }

    /**
     * UFFDIO_WRITEPROTECT: with {@link #UFFDIO_WRITEPROTECT_MODE_WP} protects the range (the range must be
     * registered in WP mode; only present pages are protected unless {@code WP_UNPOPULATED}); with mode 0
     * lifts it and wakes the writers. Returns 0, or {@code -EAGAIN} when the address space is changing.
     */
    public static int writeprotect(int fd, MemorySegment addr, long len, long mode) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(UFFDIO_WRITEPROTECT_LAYOUT);
            range(s, WP_RANGE, addr, len);
            s.set(JAVA_LONG, WP_MODE, mode);
            long rc = ioctl(fd, UFFDIO_WRITEPROTECT, s);
            if (rc == -Errno.EAGAIN) {
                return -Errno.EAGAIN;
            }
            if (rc < 0) {
                throw ErrnoException.of("UFFDIO_WRITEPROTECT", (int) -rc, "fd", fd, "addr", addr, "len", len, "mode", mode);
            }
            return 0;
        }
    }

    private static void rangeIoctl(String call, long request, int fd, MemorySegment addr, long len) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(UFFDIO_RANGE_LAYOUT);
            range(s, 0, addr, len);
            long rc = ioctl(fd, request, s);
            if (rc < 0) {
                throw ErrnoException.of(call, (int) -rc, "fd", fd, "addr", addr, "len", len);
            }
        }
    }

    private static long filled(String call, long rc, long done, int fd, MemorySegment addr, long len, long mode) {
        int errno = (int) -rc;
        if (errno == Errno.EAGAIN && done > 0) {
            return done;
        }
        if (errno == Errno.EEXIST || errno == Errno.EAGAIN) {
            return rc;
        }
        throw ErrnoException.of(call, errno, "fd", fd, "addr", addr, "len", len, "mode", mode);
    }

    private static String hex(long bits) {
        return "0x" + Long.toHexString(bits);
    }

    private static void range(MemorySegment s, long at, MemorySegment addr, long len) {
        s.set(JAVA_LONG, at + RANGE_START, addr.address());
        s.set(JAVA_LONG, at + RANGE_LEN, len);
    }

    private static long ioctl(int fd, long request, MemorySegment arg) {
        try {
            return (long) IOCTL.invokeExact(fd, request, arg);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }
}
