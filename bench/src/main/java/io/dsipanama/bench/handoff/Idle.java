package io.dsipanama.bench.handoff;

/**
 * What a producer or consumer does when it cannot make progress (back-pressured, or nothing to read):
 * spin briefly, then yield the CPU. The same for every subject. Yielding matters on a two-core machine:
 * a transport with a helper thread (Aeron's media driver, which advances the publisher's limit) only
 * runs when a spinning side lets it, and with pinned busy-spinners on both cores the kernel may not
 * preempt them for milliseconds. sched_yield with nothing else runnable returns at once.
 */
public final class Idle {
    /** Spins before the first yield. */
    public static final int SPINS = 64;

    private Idle() {
    }

    /** Call with the number of consecutive fruitless attempts so far (0, 1, 2, ...). */
    public static void idle(long attempts) {
        if (attempts < SPINS) {
            Thread.onSpinWait();
        } else {
            Thread.yield();
        }
    }
}
