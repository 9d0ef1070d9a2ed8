package io.dsipanama.netio.stream;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;

import io.dsipanama.ffm.Errno;
import io.dsipanama.ffm.Futex;
import io.dsipanama.ffm.IoUring;
import io.dsipanama.netio.CompletionTarget;
import io.dsipanama.netio.NetCounter;
import io.dsipanama.netio.NetCounters;
import io.dsipanama.netio.RingOwner;
import io.dsipanama.stream.StreamConsumer;

/**
 * A ring that sleeps on a stream's {@code data_available} futex (IORING_OP_FUTEX_WAIT, Linux 6.7) together with
 * its sockets: a commit by the stream's producer, in any process, completes the request and so wakes the ring,
 * with no timer, no spinning and no thread. The stream's wake-up protocol is kept as for a consumer that
 * sleeps in {@code take}: {@link StreamConsumer#prepareDataWait()} reads the word and raises the waiter flag
 * (full fence), the caller re-checks the stream, and only then {@link #arm} submits the wait on the value read.
 * A commit after the re-check either changed the word before the kernel looked (the request completes at once
 * with {@code EAGAIN}) or saw the flag and calls FUTEX_WAKE (it completes with 0): no commit is slept through.
 * The completion lowers the flag, so a producer that commits while the ring is busy makes no system call; the
 * owner re-arms before its next sleep (see {@link StreamSender#armDataWait}).
 *
 * <p>The word is waited on as a shared futex ({@link Futex#FUTEX2_SIZE_U32} without PRIVATE): the producer
 * wakes it with plain FUTEX_WAKE from another process that maps the same file.
 *
 * <p>Threading: the ring owner's thread only.
 */
final class StreamDataWait implements CompletionTarget {
    private static final long WAIT = 0;
    private static final long CANCEL_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(1);

    private final RingOwner owner;
    private final IoUring ring;
    private final NetCounters counters;
    private final StreamConsumer consumer;
    private final MemorySegment word;
    private final int targetId;
    private boolean armed;
    private boolean closed;
    private long wakes;

    StreamDataWait(RingOwner owner, StreamConsumer consumer) {
        this.owner = owner;
        this.ring = owner.ring();
        this.counters = owner.counters();
        this.consumer = consumer;
        this.word = consumer.dataFutexWord();
        this.targetId = owner.register(this);
    }

    /**
     * Submits the wait on {@code observed} (from {@link StreamConsumer#prepareDataWait()}, after a re-check
     * that found nothing). Returns false when no SQE was free: the flag is lowered and the caller must poll.
     */
    boolean arm(int observed) {
        long sqe = owner.nextSqe();
        if (sqe < 0) {
            consumer.endDataWait();
            return false;
        }
        ring.prepFutexWait(sqe, word, 0, observed, Futex.FUTEX2_SIZE_U32, RingOwner.userData(targetId, WAIT));
        armed = true;
        counters.increment(NetCounter.FUTEX_WAITS);
        return true;
    }

    boolean armed() {
        return armed;
    }

    /** Waits that a FUTEX_WAKE completed (a commit woke the ring). */
    long wakes() {
        return wakes;
    }

    @Override
    public void onCompletion(long data, int res, int flags) {
        if (data != WAIT) {
            return;
        }
        armed = false;
        consumer.endDataWait(); // the flag is up exactly while a wait is armed
        if (res == 0) {
            wakes++;
            counters.increment(NetCounter.FUTEX_WAKES);
        } else if (res == -Errno.EAGAIN) {
            counters.increment(NetCounter.FUTEX_WAIT_CHANGED);
        } else if (res != -Errno.ECANCELED && res != -Errno.EINTR) {
            counters.increment(NetCounter.FUTEX_WAIT_ERRORS);
        }
    }

    @Override
    public int doWork(long nowNs) {
        return 0;
    }

    @Override
    public int inFlight() {
        return armed ? 1 : 0;
    }

    /** Cancels an armed wait and reaps its completion (the word's mapping must outlive that); idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (armed && !owner.isClosed()) {
            owner.cancel(RingOwner.userData(targetId, WAIT), this, CANCEL_TIMEOUT_NS);
        }
        if (armed) {
            consumer.endDataWait();
        }
        owner.unregister(targetId);
    }
}
