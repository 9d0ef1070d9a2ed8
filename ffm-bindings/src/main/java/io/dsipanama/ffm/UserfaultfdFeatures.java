package io.dsipanama.ffm;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * What userfaultfd offers on this machine, probed once (STYLE.md rule 16) and reported by name:
 * <ul>
 * <li>{@code userfaultfd}: a descriptor opens and the UFFDIO_API handshake succeeds; the detail names the
 *     door (the syscall or {@code /dev/userfaultfd}) and the feature and ioctl masks.</li>
 * <li>{@code userfaultfd_minor_shmem}: {@code UFFD_FEATURE_MINOR_SHMEM} is offered and a read-only
 *     {@code MAP_SHARED} memfd mapping really registers in MINOR mode with {@code UFFDIO_CONTINUE} usable.</li>
 * <li>{@code userfaultfd_wp}: write-protection on shmem: {@code UFFD_FEATURE_WP_HUGETLBFS_SHMEM} is offered and a
 *     memfd mapping registers in WP mode with {@code UFFDIO_WRITEPROTECT} usable.</li>
 * </ul>
 * The probes touch no registered page (nothing can fault) and close every descriptor and mapping they open.
 */
public final class UserfaultfdFeatures {
    public static final String USERFAULTFD = "userfaultfd";
    public static final String MINOR_SHMEM = "userfaultfd_minor_shmem";
    public static final String WP = "userfaultfd_wp";

    private static final int FLAGS = Fcntl.O_CLOEXEC | Fcntl.O_NONBLOCK;

    private UserfaultfdFeatures() {
    }

    /** The three features above, in that order; probed on first use. */
    public static List<Feature> features() {
        return Holder.FEATURES;
    }

    private static final class Holder {
        static final List<Feature> FEATURES = probe();
    }

    /** Probes afresh (tests use it to check that probing leaves nothing open). */
    static List<Feature> probe() {
        String door;
        long fd = Userfaultfd.userfaultfdSyscall(FLAGS);
        int syscallErrno = fd < 0 ? (int) -fd : 0;
        door = "syscall";
        if (fd < 0 && (syscallErrno == Errno.EPERM || syscallErrno == Errno.ENOSYS)) {
            fd = Userfaultfd.userfaultfdDevice(FLAGS);
            door = "/dev/userfaultfd";
        }
        if (fd < 0) {
            String cause = unopenable(syscallErrno, (int) -fd);
            return List.of(Feature.no(USERFAULTFD, cause), Feature.no(MINOR_SHMEM, "no userfaultfd: " + cause),
                    Feature.no(WP, "no userfaultfd: " + cause));
        }
        Userfaultfd.Api api;
        try {
            api = Userfaultfd.api((int) fd, 0);
        } catch (ErrnoException e) {
            String cause = "the UFFDIO_API handshake failed: " + e.getMessage();
            return List.of(Feature.no(USERFAULTFD, cause), Feature.no(MINOR_SHMEM, cause), Feature.no(WP, cause));
        } finally {
            Unistd.close((int) fd);
        }
        return List.of(Feature.yes(USERFAULTFD, "door=" + door + ", " + api + ", kernel " + kernel()),
                minorShmem(api), wpShmem(api));
    }

    private static Feature minorShmem(Userfaultfd.Api api) {
        if (!api.has(Userfaultfd.UFFD_FEATURE_MINOR_SHMEM)) {
            return Feature.no(MINOR_SHMEM, "UFFD_FEATURE_MINOR_SHMEM not offered (" + api + "): needs Linux 5.14 built "
                    + "with CONFIG_HAVE_ARCH_USERFAULTFD_MINOR; kernel " + kernel() + "; MISSING mode is the fallback");
        }
        String failure = register(Mman.PROT_READ, Userfaultfd.UFFDIO_REGISTER_MODE_MINOR,
                Userfaultfd._UFFDIO_CONTINUE, "UFFDIO_CONTINUE");
        return failure == null
                ? Feature.yes(MINOR_SHMEM, "a read-only MAP_SHARED memfd mapping registers in MINOR mode, UFFDIO_CONTINUE usable")
                : Feature.no(MINOR_SHMEM, failure);
    }

    private static Feature wpShmem(Userfaultfd.Api api) {
        if (!api.has(Userfaultfd.UFFD_FEATURE_WP_HUGETLBFS_SHMEM)) {
            return Feature.no(WP, "UFFD_FEATURE_WP_HUGETLBFS_SHMEM not offered (" + api + "): write-protection on "
                    + "shmem needs Linux 5.19 built with CONFIG_PTE_MARKER_UFFD_WP; kernel " + kernel());
        }
        String failure = register(Mman.PROT_READ | Mman.PROT_WRITE, Userfaultfd.UFFDIO_REGISTER_MODE_WP,
                Userfaultfd._UFFDIO_WRITEPROTECT, "UFFDIO_WRITEPROTECT");
        return failure == null
                ? Feature.yes(WP, "a MAP_SHARED memfd mapping registers in WP mode, UFFDIO_WRITEPROTECT usable")
                : Feature.no(WP, failure);
    }

    /** Registers a one-page memfd mapping with a fresh uffd; null if it works and offers the ioctl, else why not. */
    private static String register(int prot, long mode, int ioctlBit, String ioctlName) {
        long page = Unistd.pageSize();
        int memfd = -1;
        int uffd = -1;
        try (Arena arena = Arena.ofConfined()) {
            memfd = Mman.memfd_create("dsi-uffd-probe", Mman.MFD_CLOEXEC);
            Unistd.ftruncate(memfd, page);
            MemorySegment mapping = Mman.map(arena, page, prot, Mman.MAP_SHARED, memfd, 0);
            uffd = Userfaultfd.userfaultfd(FLAGS);
            Userfaultfd.api(uffd, 0);
            long ioctls = Userfaultfd.register(uffd, mapping, page, mode);
            if ((ioctls & (1L << ioctlBit)) == 0) {
                return "registered, but " + ioctlName + " is not offered for the range (ioctls=0x"
                        + Long.toHexString(ioctls) + ")";
            }
            return null;
        } catch (ErrnoException e) {
            return e.getMessage();
        } finally {
            if (uffd >= 0) {
                Unistd.close(uffd);
            }
            if (memfd >= 0) {
                Unistd.close(memfd);
            }
        }
    }

    private static String unopenable(int syscallErrno, int deviceErrno) {
        StringBuilder sb = new StringBuilder("userfaultfd(2): ").append(Errno.name(syscallErrno));
        if (syscallErrno == Errno.ENOSYS) {
            sb.append(" (kernel built without CONFIG_USERFAULTFD)");
        } else if (syscallErrno == Errno.EPERM) {
            sb.append(" (vm.unprivileged_userfaultfd=").append(sysctl()).append(" and no CAP_SYS_PTRACE");
            long userOnly = Userfaultfd.userfaultfdSyscall(FLAGS | Userfaultfd.UFFD_USER_MODE_ONLY);
            if (userOnly >= 0) {
                Unistd.close((int) userOnly);
                sb.append("; a UFFD_USER_MODE_ONLY descriptor would open");
            }
            sb.append(')');
        }
        if (syscallErrno == Errno.EPERM || syscallErrno == Errno.ENOSYS) {
            sb.append("; /dev/userfaultfd: ").append(Errno.name(deviceErrno));
            if (deviceErrno == Errno.ENOENT) {
                sb.append(" (absent: Linux < 6.1)");
            } else if (deviceErrno == Errno.EACCES) {
                sb.append(" (this user may not open the device read-write)");
            }
        }
        return sb.toString();
    }

    private static String sysctl() {
        try {
            return Files.readString(Path.of("/proc/sys/vm/unprivileged_userfaultfd")).strip();
        } catch (IOException e) {
            return "?";
        }
    }

    private static String kernel() {
        return System.getProperty("os.version");
    }
}
