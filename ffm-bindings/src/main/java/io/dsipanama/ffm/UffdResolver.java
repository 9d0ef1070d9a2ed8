package io.dsipanama.ffm;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The shim's userfaultfd resolver ({@code native/include/dsi_uffd.h}): a native pthread that reads a
 * userfaultfd, resolves every fault (MISSING with {@code UFFDIO_ZEROPAGE}, MINOR with {@code UFFDIO_CONTINUE},
 * WP by lifting the protection) and records each event in a ring that Java reads with {@link #poll}.
 * Faults must never be resolved by a Java thread (DESIGN.md, "Hazards"); this is the only resolver.
 *
 * <p>Guarantee: an event is recorded before the resolving ioctl wakes the faulting thread, so when a
 * faulting access has completed, its event is in the ring (or counted in {@link #lost()}).
 *
 * <p>The ring lives in memory this object owns (a shared arena) and is laid out as {@link #DSI_UFFD_RING_LAYOUT}
 * followed by {@code capacity} {@link #DSI_UFFD_EVENT_LAYOUT} slots:
 * <pre>
 * offset | size | field          | written by | read by  | ordering
 *      0 |    8 | head           | Java       | resolver | release (Java) / acquire (resolver)
 *     64 |    8 | tail           | resolver   | Java     | release after the slot (resolver) / acquire (Java)
 *    128 |   40 | faults, events, lost, resolve_errors, last_error | resolver | anyone | atomic, unordered
 *    168 |    8 | capacity, page_size | start, before the thread exists | anyone | pthread_create
 *    176 |    4 | state          | resolver   | anyone   | release / acquire
 *    184 |    8 | retries        | resolver   | anyone   | atomic, unordered
 *    192 | 32*n | slots          | resolver   | Java     | published by tail
 * </pre>
 *
 * <p>Threading: one thread at a time calls {@link #poll} (the single consumer); the counters may be read
 * from any thread while the resolver is open (afterwards they throw IllegalStateException); {@link #close}
 * from any thread, not concurrently with {@link #poll}. In-process only.
 *
 * <p>Lifetime: the resolver does not own the userfaultfd. Close the resolver, then the userfaultfd (which
 * unregisters every range), and only then unmap: between stopping the thread and closing the descriptor, an
 * access to a registered page would block forever.
 */
@SuppressWarnings("restricted")
public final class UffdResolver implements AutoCloseable {
    public static final int DSI_UFFD_EVENT_MISSING = 1;
    public static final int DSI_UFFD_EVENT_MINOR = 2;
    public static final int DSI_UFFD_EVENT_WP = 3;
    public static final int DSI_UFFD_EVENT_REMOVE = 4;
    public static final int DSI_UFFD_EVENT_OTHER = 5;

    public static final int DSI_UFFD_STATE_RUNNING = 1;
    public static final int DSI_UFFD_STATE_STOPPED = 2;
    public static final int DSI_UFFD_STATE_FAILED = 3;

    /** {@code struct dsi_uffd_event}: one recorded event. {@code time_ns} is CLOCK_MONOTONIC. */
    public static final StructLayout DSI_UFFD_EVENT_LAYOUT = MemoryLayout.structLayout(
            JAVA_LONG.withName("address"), JAVA_LONG.withName("end"), JAVA_LONG.withName("time_ns"),
            JAVA_INT.withName("kind"), JAVA_INT.withName("tid")).withName("dsi_uffd_event");

    /** {@code struct dsi_uffd_ring}: head and tail on their own cache lines, then counters, then the slots. */
    public static final StructLayout DSI_UFFD_RING_LAYOUT = MemoryLayout.structLayout(
            JAVA_LONG.withName("head"), MemoryLayout.paddingLayout(56),
            JAVA_LONG.withName("tail"), MemoryLayout.paddingLayout(56),
            JAVA_LONG.withName("faults"), JAVA_LONG.withName("events"), JAVA_LONG.withName("lost"),
            JAVA_LONG.withName("resolve_errors"), JAVA_LONG.withName("last_error"),
            JAVA_INT.withName("capacity"), JAVA_INT.withName("page_size"),
            JAVA_INT.withName("state"), MemoryLayout.paddingLayout(4),
            JAVA_LONG.withName("retries"),
            MemoryLayout.sequenceLayout(0, DSI_UFFD_EVENT_LAYOUT).withName("slots")).withName("dsi_uffd_ring");

    private static final VarHandle HEAD = DSI_UFFD_RING_LAYOUT.varHandle(groupElement("head"));
    private static final VarHandle TAIL = DSI_UFFD_RING_LAYOUT.varHandle(groupElement("tail"));
    private static final VarHandle FAULTS = DSI_UFFD_RING_LAYOUT.varHandle(groupElement("faults"));
    private static final VarHandle EVENTS = DSI_UFFD_RING_LAYOUT.varHandle(groupElement("events"));
    private static final VarHandle LOST = DSI_UFFD_RING_LAYOUT.varHandle(groupElement("lost"));
    private static final VarHandle RESOLVE_ERRORS = DSI_UFFD_RING_LAYOUT.varHandle(groupElement("resolve_errors"));
    private static final VarHandle LAST_ERROR = DSI_UFFD_RING_LAYOUT.varHandle(groupElement("last_error"));
    private static final VarHandle STATE = DSI_UFFD_RING_LAYOUT.varHandle(groupElement("state"));
    private static final VarHandle RETRIES = DSI_UFFD_RING_LAYOUT.varHandle(groupElement("retries"));
    private static final long SLOTS = DSI_UFFD_RING_LAYOUT.byteOffset(groupElement("slots"));
    private static final long EVENT_SIZE = DSI_UFFD_EVENT_LAYOUT.byteSize();
    private static final long EV_ADDRESS = DSI_UFFD_EVENT_LAYOUT.byteOffset(groupElement("address"));
    private static final long EV_END = DSI_UFFD_EVENT_LAYOUT.byteOffset(groupElement("end"));
    private static final long EV_TIME_NS = DSI_UFFD_EVENT_LAYOUT.byteOffset(groupElement("time_ns"));
    private static final long EV_KIND = DSI_UFFD_EVENT_LAYOUT.byteOffset(groupElement("kind"));
    private static final long EV_TID = DSI_UFFD_EVENT_LAYOUT.byteOffset(groupElement("tid"));

    private static final MethodHandle START = Native.shim("dsi_uffd_resolver_start",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    private static final MethodHandle STOP = Native.shim("dsi_uffd_resolver_stop",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG));

    /** Receives one event; arguments are primitives so that polling allocates nothing. */
    @FunctionalInterface
    public interface EventHandler {
        /**
         * @param kind    {@code DSI_UFFD_EVENT_*}
         * @param address page-aligned faulting address, or the start of a removed range
         * @param end     end of the page or range (exclusive)
         * @param timeNs  CLOCK_MONOTONIC when the resolver read the event
         * @param tid     faulting thread id with {@code UFFD_FEATURE_THREAD_ID}, else 0
         */
        void onEvent(int kind, long address, long end, long timeNs, int tid);
    }

    private final Arena arena;
    private final MemorySegment ring;
    private final long mask;
    private final int uffd;
    private long handle;
    private long head; // consumer-local copy of ring.head: only poll() writes it

    private UffdResolver(Arena arena, MemorySegment ring, int capacity, int uffd) {
        this.arena = arena;
        this.ring = ring;
        this.mask = capacity - 1;
        this.uffd = uffd;
    }

    /** {@link #start(int, int, int)} without an eventfd. */
    public static UffdResolver start(int uffd, int capacity) {
        return start(uffd, capacity, -1);
    }

    /**
     * Starts the resolver thread on {@code uffd}, which must be {@code O_NONBLOCK} and past {@link Userfaultfd#api}
     * (else EINVAL); ranges may be registered before or after. {@code capacity} (a power of two) events are
     * kept until polled; more are counted in {@link #lost()} and still resolved. {@code notifyEventFd}, if not
     * -1, is an eventfd the resolver writes 1 to after each event (for a consumer that blocks in poll(2)).
     */
    public static UffdResolver start(int uffd, int capacity, int notifyEventFd) {
        if (capacity <= 0 || Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException("capacity must be a power of two: " + capacity);
        }
        Arena arena = Arena.ofShared();
        try {
            MemorySegment ring = arena.allocate(DSI_UFFD_RING_LAYOUT.byteSize() + capacity * EVENT_SIZE, 64);
            UffdResolver resolver = new UffdResolver(arena, ring, capacity, uffd);
            long rc;
            try {
                rc = (long) START.invokeExact(uffd, ring, capacity, notifyEventFd);
            } catch (Throwable t) {
                throw Native.rethrow(t);
            }
            if (rc < 0) {
                throw ErrnoException.of("dsi_uffd_resolver_start", (int) -rc, "uffd", uffd, "capacity", capacity,
                        "notify_fd", notifyEventFd, "hint", "uffd must be O_NONBLOCK and past UFFDIO_API");
            }
            resolver.handle = rc;
            return resolver;
        } catch (RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    /**
     * Hands up to {@code limit} recorded events to {@code handler}, oldest first, and returns how many.
     * Each slot is released before its handler runs, so a handler that throws does not see it again.
     */
    public int poll(EventHandler handler, int limit) {
        // pairs with the resolver's release store of tail after it wrote the slot
        long tail = (long) TAIL.getAcquire(ring, 0L);
        int n = 0;
        while (head != tail && n < limit) {
            long slot = SLOTS + (head & mask) * EVENT_SIZE;
            long address = ring.get(JAVA_LONG, slot + EV_ADDRESS);
            long end = ring.get(JAVA_LONG, slot + EV_END);
            long timeNs = ring.get(JAVA_LONG, slot + EV_TIME_NS);
            int kind = ring.get(JAVA_INT, slot + EV_KIND);
            int tid = ring.get(JAVA_INT, slot + EV_TID);
            head++;
            // pairs with the resolver's acquire load of head: the slot may be overwritten from now on
            HEAD.setRelease(ring, 0L, head);
            n++;
            handler.onEvent(kind, address, end, timeNs, tid);
        }
        return n;
    }

    /** Page-fault events read (resolved, retried after a lost race, or counted in {@link #resolveErrors()}). */
    public long faults() {
        return (long) FAULTS.getOpaque(ring, 0L);
    }

    /** All events read, recorded or lost. */
    public long events() {
        return (long) EVENTS.getOpaque(ring, 0L);
    }

    /** Events not recorded because the ring was full; their faults were resolved all the same. */
    public long lost() {
        return (long) LOST.getOpaque(ring, 0L);
    }

    /** Resolutions that failed for a reason other than a lost race; the faulting thread was woken to retry. */
    public long resolveErrors() {
        return (long) RESOLVE_ERRORS.getOpaque(ring, 0L);
    }

    /** Resolutions lost to a race (page already there, address space changing, page gone again); retried. */
    public long retries() {
        return (long) RETRIES.getOpaque(ring, 0L);
    }

    /** -errno of the last failure, 0 if none. */
    public long lastError() {
        return (long) LAST_ERROR.getOpaque(ring, 0L);
    }

    /** {@code DSI_UFFD_STATE_*}; FAILED means faults in registered ranges now block: see {@link #lastError()}. */
    public int state() {
        return (int) STATE.getAcquire(ring, 0L);
    }

    public int uffd() {
        return uffd;
    }

    /** Stops and joins the resolver thread, then frees the ring. Idempotent. */
    @Override
    public synchronized void close() {
        if (handle == 0) {
            return;
        }
        long rc;
        try {
            rc = (long) STOP.invokeExact(handle);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
        handle = 0;
        if (rc < 0) {
            // The thread may still write into the ring: leak it rather than free memory under it.
            throw ErrnoException.of("dsi_uffd_resolver_stop", (int) -rc, "uffd", uffd);
        }
        arena.close();
    }

    @Override
    public synchronized String toString() {
        if (handle == 0) {
            return "UffdResolver[uffd=" + uffd + ", closed]";
        }
        return "UffdResolver[uffd=" + uffd + ", faults=" + faults() + ", events=" + events() + ", lost=" + lost()
                + ", resolveErrors=" + resolveErrors() + ", retries=" + retries() + ", state=" + state() + "]";
    }
}
