package io.dsipanama.cli;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import io.dsipanama.ffm.Feature;
import io.dsipanama.ffm.NativeLibrary;
import io.dsipanama.ffm.Unistd;

/** What the doctor reports besides the kernel-feature probes: kernel, JDK, CPUs, the shim, /dev/shm. */
final class SystemFeatures {
    static final int MIN_KERNEL_MAJOR = 6;
    static final int MIN_KERNEL_MINOR = 1;
    static final int MIN_JDK = 22;

    private SystemFeatures() {
    }

    static List<Feature> features() {
        return List.of(kernel(), jdk(), cpus(), nativeShim(), devShm());
    }

    static Feature kernel() {
        String release;
        try {
            // readAllLines, not readString: a sysctl read at a non-zero offset is end-of-file, and readString
            // may read the first byte alone first.
            release = String.join("", Files.readAllLines(Path.of("/proc/sys/kernel/osrelease"))).trim();
        } catch (IOException e) {
            return Feature.no("kernel", "cannot read /proc/sys/kernel/osrelease: " + e.getMessage());
        }
        String[] parts = release.split("[.-]");
        int major = parts.length > 0 ? parseOr(parts[0]) : 0;
        int minor = parts.length > 1 ? parseOr(parts[1]) : 0;
        boolean ok = major > MIN_KERNEL_MAJOR || (major == MIN_KERNEL_MAJOR && minor >= MIN_KERNEL_MINOR);
        String detail = "Linux " + release + (ok ? "" : " (DSI-Panama needs >= " + MIN_KERNEL_MAJOR + "." + MIN_KERNEL_MINOR + ")");
        return new Feature("kernel", ok, detail);
    }

    static Feature jdk() {
        Runtime.Version v = Runtime.version();
        boolean ok = v.feature() >= MIN_JDK;
        return new Feature("jdk", ok, "Java " + v + " (" + System.getProperty("java.vm.vendor") + ") at "
                + System.getProperty("java.home") + (ok ? "" : "; needs >= " + MIN_JDK));
    }

    static Feature cpus() {
        long online = Unistd.sysconf(Unistd._SC_NPROCESSORS_ONLN);
        int usable = Runtime.getRuntime().availableProcessors();
        return Feature.yes("cpus", online + " online, " + usable + " usable by this process"
                + (online < 4 ? " (benchmarks that want more cores run in a reduced form)" : ""));
    }

    static Feature nativeShim() {
        try {
            return Feature.yes("native_shim", "libdsinative.so loaded from " + NativeLibrary.path()
                    + " (liburing linked in statically)");
        } catch (LinkageError | RuntimeException e) {
            return Feature.no("native_shim", e.toString());
        }
    }

    static Feature devShm() {
        Path shm = Path.of("/dev/shm");
        try {
            FileStore store = Files.getFileStore(shm);
            long free = store.getUsableSpace();
            return new Feature("dev_shm", free > 0, "/dev/shm (" + store.type() + "): "
                    + (free >> 20) + " MiB free of " + (store.getTotalSpace() >> 20) + " MiB");
        } catch (IOException e) {
            return Feature.no("dev_shm", "/dev/shm is not usable: " + e.getMessage());
        }
    }

    private static int parseOr(String s) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
