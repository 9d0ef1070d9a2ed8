package io.dsipanama.stream;

import io.dsipanama.ffm.Futex;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * One direction of wake-ups (DSI §4.4): a futex word plus a waiter flag in one 128-byte block of the header
 * ({@code data_available}/{@code data_waiters} or {@code space_available}/{@code space_waiters}).
 *
 * <p>The protocol is an event count. The waiter reads the word (acquire), raises its flag, issues a full
 * fence, re-checks its condition, and only then sleeps in {@code FUTEX_WAIT} on the value it read. The
 * signaller publishes its change, issues a full fence, and reads the flag: only if it is raised does it
 * increment the word and call {@code FUTEX_WAKE}. The two fences make the flag store and the condition
 * store a Dekker pair: either the waiter's re-check sees the change, or the signaller sees the flag; and a
 * wake that comes between the waiter's read and its sleep changed the word, so the sleep returns at once.
 * When nobody sleeps, signalling is one fence and one load of a line that stays shared: no system call.
 *
 * <p><b>Threading.</b> One signaller (the producer for data, the consumer for space) and one waiter, in
 * any processes.
 */
final class Signal {
    private static final VarHandle INT = JAVA_INT.varHandle();

    private final MemorySegment header;
    private final long word;
    private final long waiters;
    /** The futex word as its own slice, made once: Futex then makes none per call (no allocation per wait or wake). */
    private final MemorySegment futexWord;

    Signal(MemorySegment header, int wordOffset, int waitersOffset) {
        this.header = header;
        this.word = wordOffset;
        this.waiters = waitersOffset;
        this.futexWord = header.asSlice(wordOffset, JAVA_INT.byteSize());
    }

    /** After publishing a change: wakes a sleeping waiter. Returns true if a wake call was made. */
    boolean signal() {
        VarHandle.fullFence(); // the change before, the flag load after: the signaller's half of the Dekker pair
        if ((int) INT.getOpaque(header, waiters) == 0) {
            return false;
        }
        INT.getAndAdd(header, word, 1);
        Futex.wake(futexWord, 0, Integer.MAX_VALUE);
        return true;
    }

    /** Raises the flag and returns the word's value to pass to {@link #await}; re-check the condition after. */
    int prepare() {
        int observed = (int) INT.getAcquire(header, word);
        INT.setOpaque(header, waiters, 1);
        VarHandle.fullFence(); // the flag store before the condition re-check: the waiter's half of the pair
        return observed;
    }

    /** Sleeps while the word still holds {@code observed}, at most {@code timeoutNs}. */
    void await(int observed, long timeoutNs) {
        Futex.wait(futexWord, 0, observed, timeoutNs);
    }

    /** The futex word (4 bytes), for a waiter that sleeps elsewhere (io_uring FUTEX_WAIT, as a shared futex). */
    MemorySegment word() {
        return futexWord;
    }

    /** Lowers the flag (after the wait, or when the re-check found the condition met). */
    void done() {
        INT.setOpaque(header, waiters, 0);
    }
}
