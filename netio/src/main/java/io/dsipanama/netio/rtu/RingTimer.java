package io.dsipanama.netio.rtu;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import io.dsipanama.ffm.Liburing;
import io.dsipanama.netio.CompletionTarget;
import io.dsipanama.netio.RingOwner;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * A relative IORING_OP_TIMEOUT kept armed on a ring, so the ring completes something at least every
 * {@code intervalNs} even when no datagram comes: an upcall-driven ring notices what announces itself by no
 * completion (a stream's producer that left, reassembly expiry). Its completion is an ordinary CQE, so it
 * signals the ring's eventfd and fires the reactive upcall like any other; it is re-armed in the next cycle.
 *
 * <p><b>Threading.</b> The ring's thread.
 */
final class RingTimer implements CompletionTarget {
    private static final long NS_PER_S = 1_000_000_000L;

    private final RingOwner owner;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment timespec = arena.allocate(Liburing.KERNEL_TIMESPEC);
    private final int id;
    private boolean armed;
    private long expiries;

    RingTimer(RingOwner owner, long intervalNs) {
        this.owner = owner;
        timespec.set(JAVA_LONG, 0, intervalNs / NS_PER_S);
        timespec.set(JAVA_LONG, 8, intervalNs % NS_PER_S);
        this.id = owner.register(this);
    }

    @Override
    public void onCompletion(long data, int res, int flags) {
        armed = false;
        expiries++;
    }

    @Override
    public int doWork(long nowNs) {
        if (armed) {
            return 0;
        }
        long sqe = owner.nextSqe();
        if (sqe < 0) {
            return 0;
        }
        owner.ring().prepRw(Liburing.IORING_OP_TIMEOUT, sqe, -1, timespec.address(), 1, 0L, RingOwner.userData(id, 1));
        armed = true;
        return 0; // arming is not progress: an idle ring must still look idle
    }

    @Override
    public int inFlight() {
        return armed ? 1 : 0;
    }

    long expiries() {
        return expiries;
    }

    @Override
    public void close() {
        if (armed && !owner.isClosed()) {
            owner.cancel(RingOwner.userData(id, 1), this, 100_000_000L);
        }
        owner.unregister(id);
        if (!armed) {
            arena.close();
        }
    }
}
