package io.dsipanama.ffm;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

/**
 * Probes what real-time work this process may do here, for {@code dsi doctor} and for the scheduler's
 * start-up report (STYLE.md rule 16). Each probe really tries the thing: a class is set on a short-lived
 * platform thread, read back and given up again; a page is locked and unlocked.
 *
 * <p>Safety: a real-time class is only ever set on the probe's own thread, which does nothing but set,
 * read back and restore {@code SCHED_OTHER} in a {@code finally}, then ends (a thread's class ends with
 * it, so not even a failing restore leaves one behind). The calling thread is never changed.
 *
 * <p>Feature names are stable keys: {@code sched_fifo}, {@code sched_deadline}, {@code memlock},
 * {@code rtprio}.
 */
public final class SchedFeatures {
    /** {@code <linux/capability.h>}: CAP_IPC_LOCK, CAP_SYS_NICE (bit numbers in /proc/PID/status CapEff). */
    private static final int CAP_IPC_LOCK = 14;
    private static final int CAP_SYS_NICE = 23;

    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(5);
    /** The reservation sched_deadline tries: 1 ms every 10 ms, 10 % of one CPU. */
    private static final long DL_RUNTIME_NS = 1_000_000;
    private static final long DL_PERIOD_NS = 10_000_000;

    private SchedFeatures() {
    }

    /** Every probe of this class, in a stable order. */
    public static List<Feature> features() {
        return List.of(fifo(), deadline(), memlock(), rtprio());
    }

    /** {@code sched_fifo}: a thread can enter {@code SCHED_FIFO} at priority 1. */
    public static Feature fifo() {
        SchedAttr wanted = SchedAttr.fifo(1);
        return tryClass("sched_fifo", wanted, got -> got.policy() == wanted.policy() && got.priority() == wanted.priority(),
                rtContext());
    }

    /** {@code sched_deadline}: a thread can get a 1 ms / 10 ms / 10 ms {@code SCHED_DEADLINE} reservation. */
    public static Feature deadline() {
        SchedAttr wanted = SchedAttr.deadline(DL_RUNTIME_NS, DL_PERIOD_NS, DL_PERIOD_NS);
        return tryClass("sched_deadline", wanted, got -> got.policy() == wanted.policy()
                        && got.runtimeNs() == wanted.runtimeNs() && got.deadlineNs() == wanted.deadlineNs()
                        && got.periodNs() == wanted.periodNs(),
                rtContext() + "; SCHED_DEADLINE also needs the thread's affinity to span all CPUs of its root domain");
    }

    /** {@code memlock}: one page of anonymous memory can be mlock(2)ed and unlocked again. */
    public static Feature memlock() {
        String context = "RLIMIT_MEMLOCK " + Resource.getrlimit(Resource.RLIMIT_MEMLOCK)
                + (capable(CAP_IPC_LOCK) ? " (ignored: CAP_IPC_LOCK)" : "");
        long page = Unistd.pageSize();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment memory = Mman.map(arena, page, Mman.PROT_READ | Mman.PROT_WRITE,
                    Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS, -1, 0);
            Mman.mlock(memory, page);
            Mman.munlock(memory, page); // the unmap at arena close would unlock too; this checks munlock
            return Feature.yes("memlock", "mlock of one page works; " + context);
        } catch (ErrnoException e) {
            return Feature.no("memlock", e.getMessage() + "; " + context);
        }
    }

    /** {@code rtprio}: the highest {@code SCHED_FIFO} priority this process may ask for, from RLIMIT_RTPRIO. */
    public static Feature rtprio() {
        RLimit limit = Resource.getrlimit(Resource.RLIMIT_RTPRIO);
        int policyMax = Sched.sched_get_priority_max(Sched.SCHED_FIFO);
        boolean privileged = capable(CAP_SYS_NICE);
        long usable = privileged || limit.curUnlimited() ? policyMax : Math.min(limit.cur(), policyMax);
        String detail = "real-time priorities up to " + usable + "; RLIMIT_RTPRIO " + limit
                + (privileged ? " (ignored: CAP_SYS_NICE)" : "");
        return usable > 0 ? Feature.yes("rtprio", detail) : Feature.no("rtprio", detail);
    }

    private static Feature tryClass(String name, SchedAttr wanted, Predicate<SchedAttr> readBackMatches,
                                    String context) {
        AtomicReference<Feature> result = new AtomicReference<>();
        Thread probe = Thread.ofPlatform().daemon().name("dsi-probe-" + name)
                .start(() -> result.set(onProbeThread(name, wanted, readBackMatches, context)));
        try {
            if (!probe.join(PROBE_TIMEOUT)) {
                return Feature.no(name, "the probe thread did not finish within " + PROBE_TIMEOUT + "; " + context);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Feature.no(name, "interrupted while probing; " + context);
        }
        Feature feature = result.get();
        return feature != null ? feature : Feature.no(name, "the probe thread failed; " + context);
    }

    /** Runs on the probe's own thread; every path out after the first change restores {@code SCHED_OTHER}. */
    private static Feature onProbeThread(String name, SchedAttr wanted, Predicate<SchedAttr> readBackMatches,
                                         String context) {
        SchedAttr before;
        try {
            before = Sched.getattr(0);
        } catch (RuntimeException e) {
            return Feature.no(name, e.getMessage() + "; " + context);
        }
        Feature feature;
        String restoreFailure;
        try {
            feature = attempt(name, wanted, readBackMatches, context);
        } finally {
            restoreFailure = restoreOther(before);
        }
        return restoreFailure == null ? feature : Feature.no(name, restoreFailure + "; " + context);
    }

    private static Feature attempt(String name, SchedAttr wanted, Predicate<SchedAttr> readBackMatches,
                                   String context) {
        try {
            int rc = Sched.setattr(0, wanted);
            if (rc < 0) {
                return Feature.no(name, "sched_setattr(" + wanted + "): " + Errno.name(-rc) + " ("
                        + Errno.describe(-rc) + "); " + context);
            }
            SchedAttr got = Sched.getattr(0);
            return readBackMatches.test(got)
                    ? Feature.yes(name, wanted + " set, read back and restored; " + context)
                    : Feature.no(name, "set " + wanted + " but read back " + got + "; " + context);
        } catch (RuntimeException e) {
            return Feature.no(name, e.getMessage() + "; " + context);
        }
    }

    /** Back to {@code SCHED_OTHER} at the nice value the thread started with; null when that worked. */
    private static String restoreOther(SchedAttr before) {
        int nice = before.isRealTime() ? 0 : before.nice();
        try {
            int rc = Sched.setOther(0, nice);
            return rc == 0 ? null : "could not restore SCHED_OTHER: " + Errno.name(-rc);
        } catch (RuntimeException e) {
            return "could not restore SCHED_OTHER: " + e.getMessage();
        }
    }

    /** What decides real-time admission: privileges, RLIMIT_RTPRIO/RTTIME and RT throttling. */
    private static String rtContext() {
        return "RLIMIT_RTPRIO " + Resource.getrlimit(Resource.RLIMIT_RTPRIO)
                + ", RLIMIT_RTTIME " + Resource.getrlimit(Resource.RLIMIT_RTTIME) + " us"
                + ", " + (effectiveUid() == 0 ? "root" : "uid " + effectiveUid())
                + (capable(CAP_SYS_NICE) ? " with" : " without") + " CAP_SYS_NICE"
                + ", sched_rt_runtime_us " + readProc("/proc/sys/kernel/sched_rt_runtime_us")
                + " per sched_rt_period_us " + readProc("/proc/sys/kernel/sched_rt_period_us");
    }

    /** Whether the capability is in this process's effective set (CapEff of /proc/self/status). */
    static boolean capable(int capability) {
        String capEff = statusField("CapEff:");
        return capEff != null && (Long.parseUnsignedLong(capEff.trim(), 16) >>> capability & 1) != 0;
    }

    /** The effective uid (second field of Uid: in /proc/self/status), or -1 if unreadable. */
    static int effectiveUid() {
        String uid = statusField("Uid:");
        return uid == null ? -1 : Integer.parseInt(uid.trim().split("\\s+")[1]);
    }

    /** Whether this process may enter real-time classes regardless of RLIMIT_RTPRIO. */
    static boolean hasCapSysNice() {
        return capable(CAP_SYS_NICE);
    }

    private static String statusField(String prefix) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(prefix)) {
                    return line.substring(prefix.length());
                }
            }
            return null;
        } catch (IOException e) {
            return null;
        }
    }

    private static String readProc(String file) {
        try {
            // not Files.readString: it reads 1 byte of a /proc/sys file, then sees end of file
            List<String> lines = Files.readAllLines(Path.of(file));
            return lines.isEmpty() ? "empty" : lines.get(0).trim();
        } catch (IOException e) {
            return "unreadable (" + e.getMessage() + ")";
        }
    }
}
