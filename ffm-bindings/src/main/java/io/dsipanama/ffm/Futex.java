package io.dsipanama.ffm;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.Objects;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * {@code <linux/futex.h>}: futex(2) wait and wake on a 32-bit word, through the shim's
 * {@code dsi_futex_wait}, {@code dsi_futex_wait_until} and {@code dsi_futex_wake} (glibc has no futex
 * wrapper; syscall(2) is variadic). {@code FUTEX_WAIT_BITSET} needs Linux 2.6.25.
 *
 * <p>The futexes are shared, not {@code FUTEX_PRIVATE_FLAG}: the kernel keys them on the page of the
 * file behind the mapping, so a waiter and a waker in different processes that map the same file (memfd,
 * {@code /dev/shm}) meet on the same word wherever each mapped it. The word is named by a native segment
 * and an offset into it, which must be 4-byte aligned. A hot path slices its word once and passes that
 * slice with offset 0, so a call allocates nothing.
 *
 * <p>Threading: any thread may call any method. A futex orders nothing by itself: the waker stores the
 * new value (release) before {@link #wake}, and the woken thread reads it (acquire) after {@link #wait}
 * returns, and treats every return as "look again" (wake-ups may be spurious).
 */
@SuppressWarnings("restricted")
public final class Futex {
    public static final int FUTEX_WAIT = 0;
    public static final int FUTEX_WAKE = 1;
    public static final int FUTEX_WAIT_BITSET = 9;
    public static final int FUTEX_BITSET_MATCH_ANY = 0xffffffff;
    /** futex2 flags (Linux 6.7), as io_uring's FUTEX_WAIT takes them: a 32-bit word, shared unless PRIVATE. */
    public static final int FUTEX2_SIZE_U32 = 0x02;
    public static final int FUTEX2_PRIVATE = 128;

    // Waits block, so they are ordinary downcalls (the JVM must see the thread as in native code);
    // a wake never blocks and is on the producer's path, so it is critical.
    private static final MethodHandle WAIT = Native.shim("dsi_futex_wait",
            FunctionDescriptor.of(JAVA_LONG, ADDRESS, JAVA_INT, JAVA_LONG));
    private static final MethodHandle WAIT_UNTIL = Native.shim("dsi_futex_wait_until",
            FunctionDescriptor.of(JAVA_LONG, ADDRESS, JAVA_INT, JAVA_LONG));
    private static final MethodHandle WAKE = Native.shim("dsi_futex_wake",
            FunctionDescriptor.of(JAVA_LONG, ADDRESS, JAVA_INT), Native.CRITICAL);

    private Futex() {
    }

    /**
     * FUTEX_WAIT: sleeps while the word at {@code offset} of {@code segment} holds {@code expected}, for
     * at most {@code timeoutNs} (negative: forever). Returns 0 when woken (or spuriously),
     * {@code -EAGAIN} when the word did not hold {@code expected}, {@code -ETIMEDOUT}, or {@code -EINTR}.
     */
    public static int wait(MemorySegment segment, long offset, int expected, long timeoutNs) {
        MemorySegment word = word(segment, offset);
        long rc;
        try {
            rc = (long) WAIT.invokeExact(word, expected, timeoutNs < 0 ? -1L : timeoutNs);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
        return waited("FUTEX_WAIT", rc, word, expected, "timeoutNs", timeoutNs);
    }

    /**
     * FUTEX_WAIT_BITSET with an absolute {@code CLOCK_MONOTONIC} deadline ({@link Time#monotonicNs()}):
     * a waiter that wakes early and waits again keeps its deadline. Returns as {@link #wait}; a deadline
     * already past gives {@code -ETIMEDOUT} (or {@code -EAGAIN}) at once.
     */
    public static int waitUntil(MemorySegment segment, long offset, int expected, long deadlineNs) {
        MemorySegment word = word(segment, offset);
        long rc;
        try {
            rc = (long) WAIT_UNTIL.invokeExact(word, expected, Math.max(0, deadlineNs));
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
        return waited("FUTEX_WAIT_BITSET", rc, word, expected, "deadlineNs", deadlineNs);
    }

    /** FUTEX_WAKE: wakes up to {@code count} waiters on the word; returns how many it woke. */
    public static int wake(MemorySegment segment, long offset, int count) {
        MemorySegment word = word(segment, offset);
        long rc;
        try {
            rc = (long) WAKE.invokeExact(word, count);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
        if (rc < 0) {
            throw ErrnoException.of("futex", (int) -rc, "op", "FUTEX_WAKE", "addr", word, "count", count);
        }
        return (int) rc;
    }

    private static MemorySegment word(MemorySegment segment, long offset) {
        Objects.checkFromIndexSize(offset, JAVA_INT.byteSize(), segment.byteSize());
        if (!segment.isNative()) {
            throw new IllegalArgumentException("a futex word must be in native memory");
        }
        if (((segment.address() + offset) & 3) != 0) {
            throw new IllegalArgumentException("futex word at 0x" + Long.toHexString(segment.address() + offset)
                    + " is not 4-byte aligned");
        }
        // A word slice made once and passed with offset 0 costs no allocation here.
        return offset == 0 ? segment : segment.asSlice(offset, JAVA_INT.byteSize());
    }

    private static int waited(String op, long rc, MemorySegment word, int expected, String timeName, long time) {
        if (rc == 0 || rc == -Errno.EAGAIN || rc == -Errno.ETIMEDOUT || rc == -Errno.EINTR) {
            return (int) rc;
        }
        throw ErrnoException.of("futex", (int) -rc, "op", op, "addr", word, "expected", expected, timeName, time);
    }
}
