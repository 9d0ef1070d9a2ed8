package io.dsipanama.ffm;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A dedicated platform thread for a test that changes its own scheduling class: the class dies with the
 * thread, so even a test that fails half-way leaves no real-time thread behind. The body must restore
 * {@code SCHED_OTHER} in a {@code finally} all the same, must block rather than spin, and is bounded.
 */
final class RtThread {
    interface Body {
        void run() throws Exception;
    }

    private final Thread thread;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    private RtThread(String name, Body body) {
        thread = Thread.ofPlatform().daemon().name("rt-test-" + name).unstarted(() -> {
            try {
                body.run();
            } catch (Throwable t) {
                failure.set(t);
            }
        });
    }

    static RtThread start(String name, Body body) {
        RtThread t = new RtThread(name, body);
        t.thread.start();
        return t;
    }

    /** Runs {@code body} on its own platform thread and rethrows what it threw. */
    static void run(String name, Body body) throws Exception {
        start(name, body).join();
    }

    /** Waits (bounded) for the thread to end and rethrows what its body threw. */
    void join() throws Exception {
        if (!thread.join(Duration.ofSeconds(10))) {
            throw new AssertionError(thread.getName() + " did not finish within 10 s");
        }
        Throwable t = failure.get();
        if (t instanceof Exception e) {
            throw e;
        }
        if (t instanceof Error e) {
            throw e;
        }
    }
}
