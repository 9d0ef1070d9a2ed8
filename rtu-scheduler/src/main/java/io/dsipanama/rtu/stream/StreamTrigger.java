package io.dsipanama.rtu.stream;

import io.dsipanama.rtu.Reactor;
import io.dsipanama.rtu.Trigger;
import io.dsipanama.rtu.TriggerSource;
import io.dsipanama.stream.StreamConsumer;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A trigger source on a DSI stream: a reactive upcall runs when the stream's producer (usually in another
 * process) publishes. The upcall drains the stream with {@link StreamConsumer#poll()}; it never blocks.
 *
 * <p><b>Why a waiter thread.</b> A stream wakes its consumer through a futex ({@code data_available}), which
 * poll(2) cannot watch, and the producer writes no eventfd. So one thread per stream, started by the
 * scheduler's {@link Reactor} in the reactor's real-time class, sleeps in
 * {@link StreamConsumer#awaitPublished} and fires the trigger with the number of positions published since
 * it last looked. That is edge-triggered on the producer's position, not on "data is there": packets the
 * upcall has not drained yet do not wake the waiter again, so it sleeps between publications whatever the
 * policing does, and never spins. The producer makes the wake system call only while the waiter sleeps
 * (the stream's waiter flag), so a busy stream costs one fence per packet on the producer's side. The
 * alternative, an eventfd the producer writes besides the futex, would need every producer to know about
 * it; this way any unmodified producer feeds an upcall.
 *
 * <p>The waiter wakes at least every {@link #WAIT_SLICE} to notice {@link #detach()}. Events are positions:
 * a marker for a missing packet counts like a packet, packets DROP_NEWEST refused count nothing.
 *
 * <p><b>Threading.</b> {@link #attach} and {@link #detach} from any one thread at a time; the consumer's
 * packets belong to the upcall (its virtual processor), which must poll and not sleep in
 * {@link StreamConsumer#take} (the stream has one waiter flag per direction).
 */
public final class StreamTrigger implements TriggerSource {
    /** Longest sleep of the waiter before it looks whether it was detached. */
    public static final Duration WAIT_SLICE = Duration.ofMillis(50);

    private final StreamConsumer consumer;
    private final AtomicLong fired = new AtomicLong();
    private final AtomicLong wakeups = new AtomicLong();
    private volatile boolean running;
    private Thread waiter;

    public StreamTrigger(StreamConsumer consumer) {
        this.consumer = consumer;
    }

    @Override
    public synchronized void attach(Trigger trigger, Reactor reactor) {
        if (waiter != null) {
            throw new IllegalStateException("stream '" + consumer.name() + "' already feeds an upcall");
        }
        long from = consumer.position(); // a stream that already holds packets fires at once
        running = true;
        waiter = reactor.startWaiter("dsi-rtu-stream-" + consumer.name(), () -> watch(trigger, from));
    }

    private void watch(Trigger trigger, long from) {
        long known = from;
        long sliceNs = WAIT_SLICE.toNanos();
        while (running) {
            long published = consumer.awaitPublished(known, sliceNs);
            wakeups.incrementAndGet();
            if (published > known && running) {
                trigger.fire(published - known);
                fired.addAndGet(published - known);
                known = published;
            }
        }
    }

    /** Stops the waiter and waits for it (at most one {@link #WAIT_SLICE} and a margin). */
    @Override
    public synchronized void detach() {
        if (waiter == null) {
            return;
        }
        running = false;
        try {
            if (!waiter.join(WAIT_SLICE.multipliedBy(20))) {
                throw new IllegalStateException(waiter.getName() + " did not stop");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        waiter = null;
    }

    /** Events (published positions) this trigger has fired so far. */
    public long fired() {
        return fired.get();
    }

    /** Times the waiter returned from its futex wait (wake-ups plus time-outs): a measure of its cost. */
    public long wakeups() {
        return wakeups.get();
    }
}
