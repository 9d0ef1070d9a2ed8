package io.dsipanama.rtu;

import io.dsipanama.ffm.Futex;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * A futex word a thread sleeps on until a deadline or a ring: how a virtual processor (or the enforcer)
 * waits for its next absolute release time and can still be woken early by a trigger. The timed wait is
 * FUTEX_WAIT_BITSET with an absolute CLOCK_MONOTONIC deadline, so a periodic loop never accumulates drift.
 *
 * <p>Protocol (Dekker, both sides volatile): the sleeper reads the word ({@link #prepare}), looks for work,
 * sets {@code sleeping}, and sleeps only if the word is unchanged (the kernel compares it again atomically).
 * A ringer publishes its work, increments the word, then wakes only if {@code sleeping} is set. Either the
 * sleeper sees the new word value or the ringer sees the flag; a ring costs no system call while the
 * sleeper is awake.
 *
 * <p><b>Threading.</b> One sleeper thread; any number of ringers in this process.
 */
final class Doorbell {
    private static final VarHandle WORD = JAVA_INT.varHandle();
    private static final VarHandle SLEEPING;

    static {
        try {
            SLEEPING = MethodHandles.lookup().findVarHandle(Doorbell.class, "sleeping", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final MemorySegment word;
    @SuppressWarnings("unused") // accessed through SLEEPING
    private int sleeping;

    Doorbell(Arena arena) {
        this.word = arena.allocate(JAVA_INT.byteSize(), 64); // a cache line of its own
    }

    /** Sleeper: the word's value before looking for work. */
    int prepare() {
        return (int) WORD.getVolatile(word, 0L);
    }

    /**
     * Sleeper: sleeps until {@code deadlineNs} (CLOCK_MONOTONIC; {@link Long#MAX_VALUE} for no deadline) or a
     * ring after {@link #prepare} returned {@code seen}. May return early (spuriously); callers re-evaluate.
     */
    void awaitUntil(int seen, long deadlineNs) {
        SLEEPING.setVolatile(this, 1);
        try {
            if ((int) WORD.getVolatile(word, 0L) != seen) {
                return;
            }
            if (deadlineNs == Long.MAX_VALUE) {
                Futex.wait(word, 0, seen, -1);
            } else {
                Futex.waitUntil(word, 0, seen, deadlineNs);
            }
        } finally {
            SLEEPING.setVolatile(this, 0);
        }
    }

    /** Ringer: after publishing the work. */
    void ring() {
        WORD.getAndAdd(word, 0L, 1);
        if ((int) SLEEPING.getVolatile(this) != 0) {
            Futex.wake(word, 0, 1);
        }
    }
}
