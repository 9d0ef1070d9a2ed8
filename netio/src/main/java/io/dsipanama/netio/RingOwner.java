package io.dsipanama.netio;

import java.util.concurrent.TimeUnit;

import io.dsipanama.ffm.IoUring;
import io.dsipanama.ffm.Liburing;

/**
 * One io_uring per thread, and the {@link CompletionTarget}s (senders, receivers) that share it. Created on
 * the thread that will drive it: the ring is set up with {@code SINGLE_ISSUER | DEFER_TASKRUN} where the
 * kernel has them (completions are then posted only when this thread enters the kernel, which
 * {@link #doWork} and {@link #idle} do), optionally with SQPOLL; each feature not used is in
 * {@link NetFeatures#fallbacks()}.
 *
 * <p>A cycle is {@link #doWork(long)}: reap every ready CQE and hand it to its target (by the top 8 bits of
 * {@code user_data}), run each target's {@code doWork}, then one {@code io_uring_submit} for all SQEs the
 * targets filled. When a cycle did nothing, {@link #idle(long)} sleeps in the kernel until a completion.
 *
 * <p>Threading: every method, {@link #close()} included, must be called on the creating thread (checked);
 * {@link #counters()} may be read from any thread.
 */
public final class RingOwner implements AutoCloseable {
    private static final int TARGET_SHIFT = 56;
    private static final long DATA_MASK = (1L << TARGET_SHIFT) - 1;
    private static final int MAX_TARGETS = 255;
    private static final int INTERNAL = 0;
    private static final long QUIESCE_WAIT_NS = TimeUnit.MILLISECONDS.toNanos(10);

    private final NetContext ctx;
    private final NetFeatures features;
    private final NetCounters counters = new NetCounters();
    private final IoUring ring;
    private final Thread owner;
    private final CompletionTarget[] targets = new CompletionTarget[MAX_TARGETS + 1];
    private final IoUring.CqeHandler dispatcher = this::dispatch;
    private int targetCount = 1;
    private int nextBufferGroup;
    private boolean closed;

    /** A ring for the calling thread, configured by {@code ctx} (concluded here). */
    public RingOwner(NetContext ctx) {
        this.ctx = ctx.conclude();
        this.features = NetFeatures.of(ctx);
        this.owner = Thread.currentThread();
        int flags = 0;
        if (features.sqpoll()) {
            flags |= Liburing.IORING_SETUP_SQPOLL;
        }
        if (features.singleIssuer()) {
            flags |= Liburing.IORING_SETUP_SINGLE_ISSUER;
        }
        if (features.deferTaskrun()) {
            flags |= Liburing.IORING_SETUP_DEFER_TASKRUN;
        } else if (!features.sqpoll()) {
            flags |= Liburing.IORING_SETUP_COOP_TASKRUN;
        }
        // completions outnumber submissions (multishot receives, zero-copy notifications)
        this.ring = new IoUring(ctx.ringEntries(), flags, ctx.ringEntries() * 4, ctx.sqpollIdleMs(), -1);
    }

    /** The {@code user_data} for a request of target {@code targetId} carrying {@code data} (56 bits). */
    public static long userData(int targetId, long data) {
        return ((long) targetId << TARGET_SHIFT) | (data & DATA_MASK);
    }

    /** Adds a target; returns its id for {@link #userData}. */
    public int register(CompletionTarget target) {
        checkThread();
        if (targetCount > MAX_TARGETS) {
            throw new IllegalStateException("more than " + MAX_TARGETS + " targets on one ring");
        }
        targets[targetCount] = target;
        return targetCount++;
    }

    /** A fresh provided-buffer group id on this ring. */
    public int nextBufferGroup() {
        return nextBufferGroup++;
    }

    /**
     * One cycle: reap and dispatch completions, run the targets, submit. Returns the work done (CQEs plus
     * whatever the targets report); 0 means idle.
     */
    public int doWork(long nowNs) {
        checkThread();
        int work = ring.forEachCqe(dispatcher);
        for (int i = 1; i < targetCount; i++) {
            CompletionTarget t = targets[i];
            if (t != null) {
                work += t.doWork(nowNs);
            }
        }
        flush();
        return work;
    }

    /** Submits what the targets queued and, with DEFER_TASKRUN, lets the kernel post completions. */
    public void flush() {
        int submitted;
        if (features.deferTaskrun()) {
            // one io_uring_enter both submits and runs the deferred task work that posts completions
            submitted = ring.submitAndGetEvents();
        } else {
            submitted = ring.sqReady() > 0 ? ring.submit() : 0;
        }
        if (submitted > 0) {
            counters.increment(NetCounter.RING_SUBMITS);
        }
    }

    /**
     * Sleeps in the kernel until a completion arrives or {@code timeoutNs} passes (submitting first). Returns
     * false when the sleep ended by its timeout with nothing to reap (counted as {@code idle_timeouts}: a poll).
     */
    public boolean idle(long timeoutNs) {
        checkThread();
        if (ring.cqReady() != 0) {
            return true;
        }
        counters.increment(NetCounter.IDLE_SLEEPS);
        ring.submitAndWait(1, timeoutNs);
        if (ring.cqReady() == 0) {
            counters.increment(NetCounter.IDLE_TIMEOUTS);
            return false;
        }
        return true;
    }

    /** A free SQE (submitting the pending ones first if the SQ is full), or -1 if there is none. */
    public long nextSqe() {
        long sqe = ring.nextSqe();
        if (sqe < 0) {
            flush();
            sqe = ring.nextSqe();
        }
        return sqe;
    }

    /**
     * Cancels every request on {@code fd} and reaps until {@code target} has nothing in flight or
     * {@code timeoutNs} passes. Returns whether it drained.
     */
    public boolean quiesce(int fd, CompletionTarget target, long timeoutNs) {
        checkThread();
        if (closed) {
            return target.inFlight() == 0;
        }
        long sqe = nextSqe();
        if (sqe >= 0) {
            ring.prepCancelFd(sqe, fd, Liburing.IORING_ASYNC_CANCEL_ALL, userData(INTERNAL, 0));
        }
        return drain(target, timeoutNs);
    }

    /**
     * Cancels the one request submitted with {@code userData} and reaps until {@code target} has nothing in
     * flight or {@code timeoutNs} passes (for requests without a descriptor, such as a FUTEX_WAIT). Returns
     * whether it drained.
     */
    public boolean cancel(long userData, CompletionTarget target, long timeoutNs) {
        checkThread();
        if (closed) {
            return target.inFlight() == 0;
        }
        long sqe = nextSqe();
        if (sqe >= 0) {
            ring.prepCancel(sqe, userData, 0, userData(INTERNAL, 0));
        }
        return drain(target, timeoutNs);
    }

    private boolean drain(CompletionTarget target, long timeoutNs) {
        long deadlineNs = System.nanoTime() + timeoutNs;
        while (target.inFlight() > 0 && deadlineNs - System.nanoTime() > 0) {
            ring.submitAndWait(1, QUIESCE_WAIT_NS);
            ring.forEachCqe(dispatcher);
        }
        ring.submit();
        ring.forEachCqe(dispatcher);
        return target.inFlight() == 0;
    }

    private void dispatch(long userData, int res, int flags) {
        int id = (int) (userData >>> TARGET_SHIFT);
        CompletionTarget t = id == INTERNAL ? null : targets[id];
        if (t != null) {
            t.onCompletion(userData & DATA_MASK, res, flags);
        }
    }

    /**
     * Retires a target on one descriptor as its {@code close} does: cancels its requests on {@code fd}, reaps
     * until it has nothing in flight or {@code timeoutNs} passes, and unregisters it. Returns whether it
     * drained (true once this ring is closed: closing it ended every request). On the owner thread.
     */
    public boolean retire(int fd, CompletionTarget target, int targetId, long timeoutNs) {
        if (closed) {
            return true;
        }
        boolean drained = quiesce(fd, target, timeoutNs);
        unregister(targetId);
        return drained;
    }

    /** Removes a closed target (its requests must be drained first). */
    public void unregister(int targetId) {
        targets[targetId] = null;
    }

    public IoUring ring() {
        return ring;
    }

    public NetContext context() {
        return ctx;
    }

    public NetFeatures features() {
        return features;
    }

    public NetCounters counters() {
        return counters;
    }

    public Thread ownerThread() {
        return owner;
    }

    public boolean isClosed() {
        return closed;
    }

    /** Throws unless called on the owner thread. */
    public void checkThread() {
        if (Thread.currentThread() != owner) {
            throw new IllegalStateException("ring of " + owner.getName() + " used from "
                    + Thread.currentThread().getName());
        }
    }

    /** Closes the targets still open (latest first, each cancelling and draining its requests), then the ring. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        checkThread();
        try {
            for (int i = targetCount - 1; i >= 1; i--) {
                CompletionTarget t = targets[i];
                if (t != null) {
                    t.close();
                }
            }
        } finally {
            closed = true;
            ring.close();
            counters.close();
        }
    }
}
