package io.dsipanama.ffm;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Shared futexes between two JVMs: a child sleeps in FUTEX_WAIT on a word of a shared memfd, this process
 * changes the word and wakes it. Also the outcomes a waiter must tell apart: timeout and a changed value.
 */
class FutexCrossProcessTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final VarHandle INT = JAVA_INT.varHandle();
    private static final long WORD = 128;
    private static final Pattern WOKE = Pattern.compile("woke rc=(-?\\d+) value=(-?\\d+) (elapsedNs|lateNs)=(-?\\d+)");

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void aWaiterInAnotherProcessIsWokenAndSeesTheNewValue() throws Exception {
        long length = Unistd.pageSize();
        int fd = Mman.memfd_create("dsi-futex-test", Mman.MFD_CLOEXEC);
        try (Arena arena = Arena.ofShared();
             ChildJvm child = ChildJvm.start(MappedFileChild.class)) {
            Unistd.ftruncate(fd, length);
            MemorySegment map = Mman.map(arena, length, Mman.PROT_READ | Mman.PROT_WRITE, Mman.MAP_SHARED, fd, 0);
            INT.setVolatile(map, WORD, 0);
            child.expect("ready", TIMEOUT);
            child.send("map /proc/" + Unistd.getpid() + "/fd/" + fd + " " + length);
            long childAddress = Long.parseLong(child.expect("mapped", TIMEOUT).split(" ")[1]);

            // Wake: only once the child sleeps in futex(2) on its own address of the word.
            child.send("wait " + WORD + " 0 -1");
            long tid = Long.parseLong(child.expect("waiting", TIMEOUT).split("=")[1]);
            ProcSyscall.awaitBlockedIn(child.pid(), tid, ProcSyscall.SYS_FUTEX, childAddress + WORD, TIMEOUT);
            INT.setVolatile(map, WORD, 7); // release; the child reads it after waking
            assertEquals(1, Futex.wake(map, WORD, Integer.MAX_VALUE), "exactly the child was waiting on the word");
            Matcher woke = woke(child);
            assertEquals(0, Integer.parseInt(woke.group(1)));
            assertEquals(7, Integer.parseInt(woke.group(2)));

            // A relative timeout that expires.
            child.send("wait " + WORD + " 7 50000000");
            child.expect("waiting", TIMEOUT);
            woke = woke(child);
            assertEquals(-Errno.ETIMEDOUT, Integer.parseInt(woke.group(1)));
            assertTrue(Long.parseLong(woke.group(4)) >= 50_000_000, "slept at least the timeout: " + woke.group());

            // The word no longer holds what the waiter expected: no sleep at all.
            child.send("wait " + WORD + " 3 -1");
            child.expect("waiting", TIMEOUT);
            assertEquals(-Errno.EAGAIN, Integer.parseInt(woke(child).group(1)));

            // An absolute CLOCK_MONOTONIC deadline: times out, not before the deadline.
            child.send("waituntil " + WORD + " 7 30000000");
            child.expect("waiting", TIMEOUT);
            woke = woke(child);
            assertEquals(-Errno.ETIMEDOUT, Integer.parseInt(woke.group(1)));
            assertTrue(Long.parseLong(woke.group(4)) >= 0, "woke at or after the deadline: " + woke.group());

            assertEquals(0, Futex.wake(map, WORD, 1), "nobody waits any more");
            child.send("exit");
            assertEquals(0, child.waitFor(TIMEOUT));
        } finally {
            Unistd.close(fd);
        }
    }

    @Test
    void waitUntilAPastDeadlineReturnsAtOnce() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment word = arena.allocate(JAVA_INT);
            assertEquals(-Errno.ETIMEDOUT, Futex.waitUntil(word, 0, 0, Time.monotonicNs() - 1_000_000));
            assertEquals(-Errno.ETIMEDOUT, Futex.wait(word, 0, 0, 0));
            assertEquals(-Errno.EAGAIN, Futex.waitUntil(word, 0, 1, Time.monotonicNs() + 1_000_000_000L));
        }
    }

    @Test
    void misalignedHeapAndOutOfBoundsWordsAreRefused() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment words = arena.allocate(JAVA_INT, 4);
            assertThrows(IllegalArgumentException.class, () -> Futex.wake(words, 2, 1));
            assertThrows(IllegalArgumentException.class, () -> Futex.wait(words, 1, 0, 0));
            assertThrows(IllegalArgumentException.class, () -> Futex.wake(MemorySegment.ofArray(new int[4]), 0, 1));
            assertThrows(IndexOutOfBoundsException.class, () -> Futex.wake(words, 16, 1));
        }
    }

    private static Matcher woke(ChildJvm child) throws InterruptedException {
        String line = child.expect("woke", TIMEOUT);
        Matcher m = WOKE.matcher(line);
        assertTrue(m.matches(), line);
        return m;
    }
}
