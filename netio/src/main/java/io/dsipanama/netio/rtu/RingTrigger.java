package io.dsipanama.netio.rtu;

import java.util.concurrent.locks.LockSupport;

import io.dsipanama.ffm.Eventfd;
import io.dsipanama.netio.RingOwner;
import io.dsipanama.rtu.EventfdTrigger;
import io.dsipanama.rtu.Reactor;
import io.dsipanama.rtu.Trigger;
import io.dsipanama.rtu.TriggerSource;

/**
 * A trigger source on io_uring completions: "a completion the network module posts" fires a reactive upcall.
 * The source is an {@link EventfdTrigger} (a non-blocking eventfd that the scheduler's {@link Reactor} polls) with
 * a watchdog beside it; the upcall registers the eventfd on its ring ({@link #register}, IORING_REGISTER_EVENTFD)
 * once the ring exists.
 *
 * <p><b>What the eventfd says.</b> On a {@code SINGLE_ISSUER | DEFER_TASKRUN} ring the kernel signals it when
 * the first deferred completion is queued for the submitter (before its CQE is posted: "enter the kernel"),
 * and again when completions are posted, including those the upcall's own {@code io_uring_enter} posts. So
 * the upcall {@link #clear clears} it before each cycle and reaps after; whatever the kernel queues after the
 * clear signals it again and the upcall runs once more. IORING_REGISTER_EVENTFD_ASYNC would not do: it
 * signals only for completions of io-wq workers, never for a socket's (IoUringEventfdTest shows both).
 *
 * <p><b>Watchdog.</b> The kernel signals deferred work only when its work list goes from empty to non-empty,
 * and one {@code io_uring_enter} runs at most 20 items (6.13+: the rest wait on a retry list, and while they
 * do the work list is not taken, so new work is not signalled either). Work the kernel holds without a signal
 * is a lost wake-up that no completion ends (not even the ring timer's, which is deferred work too). So with
 * {@code watchdogNs > 0} a waiter thread in the reactor's class looks every {@code watchdogNs}: when no job
 * cleared the eventfd since its last look, it signals the eventfd itself ({@link #rescues}). With a ring timer
 * of {@code watchdogNs / 2}, a healthy ring always clears within the window, so a rescue means a wake-up was
 * lost (or the reserve was held back that long by its policing or the machine).
 *
 * <p>{@link #attach} also signals the eventfd once, so the first job runs at once and can create the ring on
 * the virtual processor's thread (the ring's only submitter).
 *
 * <p><b>Threading.</b> {@link #kick} and {@link #clear} from any thread; {@link #register} on the ring's thread.
 * Nothing here allocates per call: the eventfd is read and written through the shim, without segments.
 */
public final class RingTrigger implements TriggerSource, AutoCloseable {
    private final EventfdTrigger eventfd = new EventfdTrigger();
    private final long watchdogNs;
    private volatile long clears;
    private volatile long rescues;
    private volatile boolean watching;
    private Thread watchdog;
    private boolean closed;

    /** A trigger without a watchdog. */
    public RingTrigger() {
        this(0);
    }

    /** A trigger whose watchdog signals the eventfd when no job cleared it for {@code watchdogNs} (0: none). */
    public RingTrigger(long watchdogNs) {
        if (watchdogNs < 0) {
            throw new IllegalArgumentException("watchdogNs must be >= 0: " + watchdogNs);
        }
        this.watchdogNs = watchdogNs;
    }

    /** The eventfd the reactor polls. */
    public int fd() {
        return eventfd.fd();
    }

    /** Makes {@code owner}'s ring signal this trigger's eventfd. On the ring's thread. */
    public void register(RingOwner owner) {
        owner.checkThread();
        owner.ring().registerEventfd(eventfd.fd(), false);
    }

    /** Asks for one more job (work is left that no completion will announce). */
    public void kick() {
        eventfd.signal(1);
    }

    /** Resets the eventfd: signals up to now are answered by the cycle that follows. One thread at a time. */
    public void clear() {
        Eventfd.drain(eventfd.fd());
        clears = clears + 1; // one writer (the ring's thread); the watchdog only compares
    }

    /** Times the watchdog found no job for a whole window and signalled the eventfd itself. */
    public long rescues() {
        return rescues;
    }

    @Override
    public synchronized void attach(Trigger trigger, Reactor newReactor) {
        eventfd.attach(trigger, newReactor); // throws if it already feeds an upcall
        if (watchdogNs > 0) {
            watching = true;
            watchdog = newReactor.startWaiter("dsi-ring-watchdog-" + eventfd.fd(), this::watch);
        }
        kick();
    }

    private void watch() {
        long seen = clears;
        while (watching) {
            LockSupport.parkNanos(watchdogNs);
            long now = clears;
            if (now == seen && watching) {
                rescues = rescues + 1; // one writer: this thread
                kick();
            }
            seen = now;
        }
    }

    @Override
    public synchronized void detach() {
        if (watchdog != null) {
            watching = false;
            LockSupport.unpark(watchdog);
            try {
                watchdog.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            watchdog = null;
        }
        eventfd.detach();
    }

    /** Detaches and closes the eventfd (a ring that still holds it keeps its own reference). */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        detach();
        eventfd.close();
    }
}
