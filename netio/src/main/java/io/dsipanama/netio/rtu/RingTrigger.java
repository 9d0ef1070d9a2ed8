package io.dsipanama.netio.rtu;

import io.dsipanama.ffm.Eventfd;
import io.dsipanama.ffm.Unistd;
import io.dsipanama.netio.RingOwner;
import io.dsipanama.rtu.Reactor;
import io.dsipanama.rtu.Trigger;
import io.dsipanama.rtu.TriggerSource;

/**
 * A trigger source on io_uring completions: "a completion the network module posts" fires a reactive upcall.
 * The source owns a non-blocking eventfd that the scheduler's {@link Reactor} polls; the upcall registers it
 * on its ring ({@link #register}, IORING_REGISTER_EVENTFD) once the ring exists.
 *
 * <p><b>What the eventfd says.</b> On a {@code SINGLE_ISSUER | DEFER_TASKRUN} ring the kernel signals it when
 * the first deferred completion is queued for the submitter (before its CQE is posted: "enter the kernel"),
 * and again when completions are posted, including those the upcall's own {@code io_uring_enter} posts. So
 * the upcall {@link #clear clears} it before each cycle and reaps after; whatever the kernel queues after the
 * clear signals it again and the upcall runs once more. IORING_REGISTER_EVENTFD_ASYNC would not do: it
 * signals only for completions of io-wq workers, never for a socket's (IoUringEventfdTest shows both).
 *
 * <p>{@link #attach} also signals the eventfd once, so the first job runs at once and can create the ring on
 * the virtual processor's thread (the ring's only submitter).
 *
 * <p><b>Threading.</b> {@link #kick} and {@link #clear} from any thread; {@link #register} on the ring's thread.
 */
public final class RingTrigger implements TriggerSource, AutoCloseable {
    private final int fd = Eventfd.eventfd(0, Eventfd.EFD_CLOEXEC | Eventfd.EFD_NONBLOCK);
    private Reactor reactor;
    private boolean closed;

    /** The eventfd the reactor polls. */
    public int fd() {
        return fd;
    }

    /** Makes {@code owner}'s ring signal this trigger's eventfd. On the ring's thread. */
    public void register(RingOwner owner) {
        owner.checkThread();
        owner.ring().registerEventfd(fd, false);
    }

    /** Asks for one more job (work is left that no completion will announce). */
    public void kick() {
        Eventfd.signal(fd, 1);
    }

    /** Resets the eventfd: signals up to now are answered by the cycle that follows. One thread at a time. */
    public void clear() {
        Eventfd.drain(fd); // the shim's own buffer, no capture state: allocates nothing
    }

    @Override
    public synchronized void attach(Trigger trigger, Reactor newReactor) {
        if (reactor != null) {
            throw new IllegalStateException("ring eventfd " + fd + " already feeds an upcall");
        }
        reactor = newReactor;
        reactor.watch(fd, trigger);
        kick();
    }

    @Override
    public synchronized void detach() {
        if (reactor != null) {
            reactor.unwatch(fd);
            reactor = null;
        }
    }

    /** Detaches and closes the eventfd (a ring that still holds it keeps its own reference). */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        detach();
        Unistd.close(fd);
    }
}
