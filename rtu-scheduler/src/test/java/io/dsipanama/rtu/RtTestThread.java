package io.dsipanama.rtu;

import io.dsipanama.ffm.Sched;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs a test body on a dedicated platform thread at a SCHED_FIFO priority and waits for it: the class dies
 * with the thread, and the body restores SCHED_OTHER in a finally all the same. The body must block, not spin.
 */
final class RtTestThread {
    interface Body {
        void run() throws Exception;
    }

    private RtTestThread() {
    }

    static void run(String name, int priority, Body body) throws Exception {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread t = Thread.ofPlatform().daemon().name("rt-test-" + name).start(() -> {
            try {
                if (Sched.setFifo(0, priority) != 0) {
                    throw new IllegalStateException("SCHED_FIFO " + priority + " refused");
                }
                body.run();
            } catch (Throwable e) {
                failure.set(e);
            } finally {
                Sched.setOther(0, 0);
            }
        });
        if (!t.join(Duration.ofSeconds(60))) {
            throw new AssertionError(t.getName() + " did not finish within 60 s");
        }
        Throwable e = failure.get();
        if (e instanceof Exception ex) {
            throw ex;
        }
        if (e instanceof Error er) {
            throw er;
        }
    }
}
