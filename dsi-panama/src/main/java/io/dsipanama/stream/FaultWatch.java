package io.dsipanama.stream;

import io.dsipanama.ffm.Errno;
import io.dsipanama.ffm.ErrnoException;
import io.dsipanama.ffm.Fcntl;
import io.dsipanama.ffm.Feature;
import io.dsipanama.ffm.Mman;
import io.dsipanama.ffm.UffdResolver;
import io.dsipanama.ffm.Unistd;
import io.dsipanama.ffm.Userfaultfd;
import io.dsipanama.ffm.UserfaultfdFeatures;

import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * Page-fault notification over one shared mapping (DSI §4.3: "the consumer is told by a page fault"). The
 * mapping is pre-faulted ({@code MADV_POPULATE_READ}, so the normal path takes no fault), then registered
 * with a userfaultfd in MINOR and MISSING mode (MISSING alone where the kernel lacks {@code MINOR_SHMEM}),
 * and the native resolver thread of the shim ({@link UffdResolver}) resolves every fault so the access
 * completes and records it. When another process punches a page of the file, this process's next touch of
 * it raises a MISSING fault (resolved with a zeroed page); when the page was punched and rewritten before
 * the touch, a MINOR fault (resolved by mapping the new page). {@link #drain} hands the recorded faults to
 * an {@link Owners} lookup as offsets into the mapping; what a fault means is the owner's business (the
 * consumer matches it to the packet it holds there; a shared data area could match it to a block).
 *
 * <p>Faults are never resolved by a Java thread (DESIGN.md, "Hazards"). Where userfaultfd is unavailable,
 * or the system property {@value #DISABLE_PROPERTY} is {@code true}, the watch is {@link Mode#OFF} with
 * {@link #cause()} saying why, and {@link #drain} returns 0: the owner then relies on its own checks.
 *
 * <p>Costs: one acquire load of the event ring's tail per {@link #drain} when nothing happened; no
 * allocation (the owner lookup is created once by the caller). A MISSING fault on a shmem file allocates a
 * zeroed page into the file (that is how {@code UFFDIO_ZEROPAGE} fills a hole there), so a reclaimed page the
 * consumer touches is backed again until the producer reuses it.
 *
 * <p><b>Threading.</b> {@link #drain} from one thread at a time; {@link #close} from the same thread once it
 * stopped touching the mapping, and before the mapping is unmapped (stopping the resolver first, then
 * closing the userfaultfd, which unregisters the range). In-process only: a userfaultfd watches the mappings
 * of the process that registered them.
 */
public final class FaultWatch implements AutoCloseable {
    /** System property: {@code true} turns the watch off (generation checks alone, for comparisons). */
    public static final String DISABLE_PROPERTY = "dsi.stream.faultWatch.disable";
    static final int EVENT_CAPACITY = 1024;

    /** How faults are watched; the ordinal is what the stream header's {@code fault_watch} word holds. */
    public enum Mode {
        /** No userfaultfd: owners rely on generation checks alone. */
        OFF,
        /** MISSING mode: a touch of a punched page faults; a page punched and rewritten before the touch does not. */
        MISSING,
        /** MINOR and MISSING mode: every touch of a page this mapping lost faults, punched or rewritten. */
        MINOR_AND_MISSING
    }

    /** Receives one fault; primitives only, so draining allocates nothing. */
    @FunctionalInterface
    public interface Owners {
        /**
         * @param offset page-aligned offset of the faulting page in the watched mapping
         * @param minor  true for a MINOR fault (the page was in the file, not in this mapping), false for MISSING
         * @param timeNs CLOCK_MONOTONIC when the resolver read the fault
         */
        void onFault(long offset, boolean minor, long timeNs);
    }

    private final MemorySegment mapping;
    private final Mode mode;
    private final String cause;
    private final int uffd;
    private final UffdResolver resolver;
    private Owners owners;
    private final UffdResolver.EventHandler handler = this::onEvent;
    private boolean closed;

    private FaultWatch(MemorySegment mapping, Mode mode, String cause, int uffd, UffdResolver resolver) {
        this.mapping = mapping;
        this.mode = mode;
        this.cause = cause;
        this.uffd = uffd;
        this.resolver = resolver;
    }

    /**
     * Watches {@code mapping} (page-aligned, {@code MAP_SHARED} of a shmem file opened read-write). Never fails
     * for want of userfaultfd: the watch is then {@link Mode#OFF}. Other errors throw.
     */
    public static FaultWatch open(MemorySegment mapping) {
        if (Boolean.getBoolean(DISABLE_PROPERTY)) {
            return off(mapping, "disabled by -D" + DISABLE_PROPERTY + "=true");
        }
        List<Feature> features = UserfaultfdFeatures.features();
        Feature uffdFeature = features.get(0);
        if (!uffdFeature.available()) {
            return off(mapping, "userfaultfd unavailable: " + uffdFeature.detail());
        }
        boolean minor = features.get(1).available();
        // the normal path must take no fault: map every page before the range is watched
        Mman.madvise(mapping, mapping.byteSize(), Mman.MADV_POPULATE_READ);
        int fd = -1;
        try {
            fd = Userfaultfd.userfaultfd(Fcntl.O_CLOEXEC | Fcntl.O_NONBLOCK);
            Userfaultfd.api(fd, 0);
            long registerMode = Userfaultfd.UFFDIO_REGISTER_MODE_MISSING
                    | (minor ? Userfaultfd.UFFDIO_REGISTER_MODE_MINOR : 0);
            Userfaultfd.register(fd, mapping, mapping.byteSize(), registerMode);
            UffdResolver resolver = UffdResolver.start(fd, EVENT_CAPACITY);
            return new FaultWatch(mapping, minor ? Mode.MINOR_AND_MISSING : Mode.MISSING,
                    minor ? "MINOR and MISSING" : "MISSING only: " + features.get(1).detail(), fd, resolver);
        } catch (ErrnoException e) {
            if (fd >= 0) {
                Unistd.close(fd);
            }
            String hint = e.errno() == Errno.EINVAL
                    ? " (userfaultfd watches shared memory only: is the stream root on tmpfs, such as /dev/shm?)" : "";
            return off(mapping, "userfaultfd registration failed: " + e.getMessage() + hint);
        }
    }

    /** For {@code dsi doctor}: how a stream consumer here would learn of revocations, and why. */
    public static Feature feature() {
        String name = "stream_fault_notification";
        if (Boolean.getBoolean(DISABLE_PROPERTY)) {
            return Feature.no(name, "disabled by -D" + DISABLE_PROPERTY + "=true: generation checks alone");
        }
        List<Feature> features = UserfaultfdFeatures.features();
        if (!features.get(0).available()) {
            return Feature.no(name, "streams work with generation checks alone (isStillValid, REVOKED at release); "
                    + "no page-fault notification: " + features.get(0).detail());
        }
        return features.get(1).available()
                ? Feature.yes(name, "consumers register their data area with userfaultfd in MINOR and MISSING mode")
                : Feature.yes(name, "MISSING mode only (a page punched and rewritten before the touch is not "
                        + "reported; the generation check covers it): " + features.get(1).detail());
    }

    private static FaultWatch off(MemorySegment mapping, String cause) {
        return new FaultWatch(mapping, Mode.OFF, cause, -1, null);
    }

    public Mode mode() {
        return mode;
    }

    /** What the watch does, or why it is off. */
    public String cause() {
        return cause;
    }

    /** Hands every fault recorded since the last call to {@code owners}; returns how many. */
    public int drain(Owners owners) {
        if (resolver == null) {
            return 0;
        }
        this.owners = owners;
        return resolver.poll(handler, Integer.MAX_VALUE);
    }

    private void onEvent(int kind, long address, long end, long timeNs, int tid) {
        long offset = address - mapping.address();
        if ((kind == UffdResolver.DSI_UFFD_EVENT_MISSING || kind == UffdResolver.DSI_UFFD_EVENT_MINOR)
                && offset >= 0 && offset < mapping.byteSize()) {
            owners.onFault(offset, kind == UffdResolver.DSI_UFFD_EVENT_MINOR, timeNs);
        }
    }

    /** Faults resolved so far (each one let its access complete). */
    public long faults() {
        return resolver == null ? 0 : resolver.faults();
    }

    /** Faults resolved but not recorded because the ring was full. */
    public long lost() {
        return resolver == null ? 0 : resolver.lost();
    }

    /** Stops the resolver and closes the userfaultfd (unregistering the mapping). Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (resolver != null) {
            try {
                resolver.close();
            } finally {
                Unistd.close(uffd);
            }
        }
    }

    @Override
    public String toString() {
        return "FaultWatch[" + mode + ": " + cause + (resolver == null ? "" : ", faults=" + faults()) + "]";
    }
}
