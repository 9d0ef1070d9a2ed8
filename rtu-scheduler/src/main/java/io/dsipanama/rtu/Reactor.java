package io.dsipanama.rtu;

import io.dsipanama.ffm.Errno;
import io.dsipanama.ffm.Eventfd;
import io.dsipanama.ffm.Poll;
import io.dsipanama.ffm.Sched;
import io.dsipanama.ffm.SchedAttr;
import io.dsipanama.ffm.Unistd;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * One thread per scheduler that waits in poll(2) on the eventfds of reactive upcalls and fires their
 * triggers: the scheduler's counterpart of an interrupt thread. It runs at a real-time priority above every
 * virtual processor (when the backend is real-time) and does almost nothing per event: read the eventfd
 * (the count of events since the last read), call {@link Trigger#fire}. A descriptor that reports an
 * error or hang-up is dropped and counted.
 *
 * <p>Sources without a file descriptor do not need it: they call their trigger from their own thread. A source
 * that can only block in a call of its own (a futex, as a DSI stream's {@code data_available}) gets a waiter
 * thread in the reactor's class from {@link #startWaiter}, so its wake-up is not queued behind normal threads.
 *
 * <p><b>Threading.</b> {@link #watch} and {@link #unwatch} from any thread: they change a list under a lock
 * and wake the reactor through its control eventfd; the reactor rebuilds its pollfd array (the only
 * allocation, off the event path).
 */
public final class Reactor {
    private record Watch(int fd, Trigger trigger) {
    }

    private final int controlFd = Eventfd.eventfd(0, Eventfd.EFD_CLOEXEC | Eventfd.EFD_NONBLOCK);
    private final List<Watch> watches = new ArrayList<>();
    private final AtomicLong version = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private final boolean realTime;
    private final int priority;
    private final List<String> notes = new ArrayList<>();
    private volatile boolean running = true;

    Reactor(boolean realTime, int priority) {
        this.realTime = realTime;
        this.priority = priority;
    }

    /**
     * Starts a daemon platform thread running {@code body} in the reactor's kernel class (SCHED_FIFO at the
     * reactor's priority when the backend is real-time, above every virtual processor), for a trigger source
     * that must block in a call of its own. The body must block between events, never spin; the class ends
     * with the thread.
     */
    public Thread startWaiter(String name, Runnable body) {
        return Thread.ofPlatform().daemon().name(name).start(() -> {
            enterClass(name);
            body.run();
        });
    }

    /** Puts the calling thread in the reactor's class; a refusal is noted for the scheduler's report. */
    private void enterClass(String name) {
        if (realTime) {
            enterFifo(name, priority, notes);
        }
    }

    /**
     * Puts the calling thread (named {@code name}) in SCHED_FIFO at {@code priority}, reset on fork; a refusal
     * is added to {@code notes} (locked on itself). Also the scheduler's enforcer thread.
     */
    static void enterFifo(String name, int priority, List<String> notes) {
        int rc = Sched.setattr(0, new SchedAttr(Sched.SCHED_FIFO, priority, 0, 0, 0, 0, Sched.SCHED_FLAG_RESET_ON_FORK));
        if (rc != 0) {
            synchronized (notes) {
                notes.add(name + " runs as SCHED_OTHER: SCHED_FIFO " + priority + " refused with " + Errno.name(-rc));
            }
        }
    }

    /** Class changes the reactor or a waiter could not make, for people. */
    List<String> notes() {
        synchronized (notes) {
            return List.copyOf(notes);
        }
    }

    /** Polls {@code fd} (a non-blocking eventfd) and fires {@code trigger} with each count read from it. */
    public void watch(int fd, Trigger trigger) {
        synchronized (watches) {
            watches.add(new Watch(fd, trigger));
        }
        changed();
    }

    /** Stops polling {@code fd}; after the reactor's next turn it no longer fires that trigger. */
    public void unwatch(int fd) {
        synchronized (watches) {
            watches.removeIf(w -> w.fd == fd);
        }
        changed();
    }

    /** Descriptors dropped because poll reported an error on them. */
    public long errors() {
        return errors.get();
    }

    private void changed() {
        version.incrementAndGet();
        Eventfd.signal(controlFd, 1);
    }

    void stop() {
        running = false;
        Eventfd.signal(controlFd, 1);
    }

    /** The reactor thread's body. */
    void run() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment counter = arena.allocate(JAVA_LONG);
            long seen = -1;
            MemorySegment fds = MemorySegment.NULL;
            Watch[] current = new Watch[0];
            while (running) {
                if (version.get() != seen) {
                    seen = version.get();
                    synchronized (watches) {
                        current = watches.toArray(new Watch[0]);
                    }
                    fds = arena.allocate(Poll.POLLFD, current.length + 1L);
                    Poll.pollfd(fds, 0, controlFd, Poll.POLLIN);
                    for (int i = 0; i < current.length; i++) {
                        Poll.pollfd(fds, i + 1, current[i].fd, Poll.POLLIN);
                    }
                }
                if (Poll.poll(fds, current.length + 1L, -1) <= 0) {
                    continue; // EINTR
                }
                if ((Poll.revents(fds, 0) & Poll.POLLIN) != 0) {
                    Eventfd.drain(controlFd, counter);
                }
                for (int i = 0; i < current.length; i++) {
                    int revents = Poll.revents(fds, i + 1);
                    try {
                        if ((revents & (Poll.POLLERR | Poll.POLLHUP | Poll.POLLNVAL)) != 0) {
                            throw new IllegalStateException("poll revents 0x" + Integer.toHexString(revents));
                        }
                        if ((revents & Poll.POLLIN) != 0) {
                            long n = Eventfd.drain(current[i].fd, counter);
                            if (n > 0) {
                                current[i].trigger.fire(n);
                            }
                        }
                    } catch (RuntimeException e) {
                        // closed under us (EBADF, POLLNVAL) or broken: drop it, never the reactor
                        errors.incrementAndGet();
                        unwatch(current[i].fd);
                    }
                }
            }
        } finally {
            Unistd.close(controlFd);
        }
    }
}
