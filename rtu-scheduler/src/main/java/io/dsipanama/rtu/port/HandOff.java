package io.dsipanama.rtu.port;

import io.dsipanama.rtu.Reactor;
import io.dsipanama.rtu.Trigger;
import io.dsipanama.rtu.TriggerSource;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * An in-process link: a single-producer single-consumer ring of buffer references from one stage's virtual
 * processor to the next one's, and the trigger that makes the next stage's reactive upcall run. The buffer
 * itself is never copied: the consumer gets the very object (and memory) the producer filled.
 *
 * <p>Ordering: the producer stores the reference, then publishes {@code tail} with release; the consumer
 * reads {@code tail} with acquire, then the reference, then publishes {@code head} with release, which the
 * producer's acquire of {@code head} pairs with before it reuses the cell. Everything the producer's
 * handler wrote into the buffer happens-before the consumer's handler reads it.
 *
 * <p>Capacity is at least the number of buffers of the connection, so {@link #offer} cannot fail while the
 * buffers circulate; it returns false only on a broken invariant.
 *
 * <p><b>Threading.</b> {@link #offer} from one thread (the upstream stage's virtual processor), {@link #poll}
 * from one thread (the downstream one's); the two may be the same thread. {@link #attach}/{@link #detach}
 * from the scheduler.
 */
final class HandOff implements TriggerSource {
    private static final VarHandle HEAD;
    private static final VarHandle TAIL;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            HEAD = l.findVarHandle(HandOff.class, "head", long.class);
            TAIL = l.findVarHandle(HandOff.class, "tail", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final RtBuffer[] cells;
    private final int mask;
    private volatile Trigger trigger;
    @SuppressWarnings("unused") // HEAD
    private long head;
    @SuppressWarnings("unused") // TAIL
    private long tail;

    HandOff(int minCapacity) {
        int capacity = Integer.highestOneBit(Math.max(2, minCapacity) - 1) << 1;
        cells = new RtBuffer[capacity];
        mask = capacity - 1;
    }

    /** Producer: appends {@code b}; false only if full (cannot happen while capacity >= buffers). */
    boolean offer(RtBuffer b) {
        long t = (long) TAIL.getOpaque(this);
        if (t - (long) HEAD.getAcquire(this) >= cells.length) {
            return false;
        }
        cells[(int) t & mask] = b;
        TAIL.setRelease(this, t + 1); // pairs with the getAcquire in poll
        return true;
    }

    /** Producer: {@link #offer}, then fires the downstream upcall's trigger. */
    boolean send(RtBuffer b) {
        if (!offer(b)) {
            return false;
        }
        Trigger t = trigger;
        if (t != null) {
            t.fire(1);
        }
        return true;
    }

    /** Consumer: the oldest buffer, or null. */
    RtBuffer poll() {
        long h = (long) HEAD.getOpaque(this);
        if ((long) TAIL.getAcquire(this) == h) { // pairs with the setRelease in offer
            return null;
        }
        int i = (int) h & mask;
        RtBuffer b = cells[i];
        cells[i] = null;
        HEAD.setRelease(this, h + 1); // pairs with the getAcquire in offer
        return b;
    }

    @Override
    public void attach(Trigger t, Reactor reactor) {
        trigger = t;
    }

    @Override
    public void detach() {
        trigger = null;
    }
}
