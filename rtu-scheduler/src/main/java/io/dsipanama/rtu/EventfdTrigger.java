package io.dsipanama.rtu;

import io.dsipanama.ffm.Eventfd;
import io.dsipanama.ffm.Unistd;

/**
 * A trigger source on an eventfd: every {@link #signal} (or any write to the eventfd, from this process or
 * another one holding the descriptor) becomes events for the reactive upcall, delivered by the scheduler's
 * {@link Reactor}. The eventfd is created non-blocking and close-on-exec, and closed by {@link #close()}.
 *
 * <p><b>Threading.</b> {@link #signal} from any thread.
 */
public final class EventfdTrigger implements TriggerSource, AutoCloseable {
    private final int fd;
    private Reactor reactor;
    private boolean closed;

    public EventfdTrigger() {
        this.fd = Eventfd.eventfd(0, Eventfd.EFD_CLOEXEC | Eventfd.EFD_NONBLOCK);
    }

    /** The eventfd, for a producer that writes to it directly (eventfd_write, io_uring, another process). */
    public int fd() {
        return fd;
    }

    /** Adds {@code events} to the eventfd's counter. */
    public void signal(long events) {
        Eventfd.signal(fd, events);
    }

    @Override
    public synchronized void attach(Trigger trigger, Reactor newReactor) {
        if (reactor != null) {
            throw new IllegalStateException("eventfd " + fd + " already feeds an upcall");
        }
        reactor = newReactor;
        reactor.watch(fd, trigger);
    }

    @Override
    public synchronized void detach() {
        if (reactor != null) {
            reactor.unwatch(fd);
            reactor = null;
        }
    }

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
