package io.dsipanama.ffm;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@link IoUring#prepFutexWait}: a ring waits, without a thread, on a word of a shared memfd; another JVM
 * changes the word and calls plain futex(2) FUTEX_WAKE, which completes the request. Also: a mismatching value
 * completes at once with EAGAIN, and {@link IoUring#prepCancel} ends a pending wait with ECANCELED.
 */
class IoUringFutexTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final VarHandle INT = JAVA_INT.varHandle();
    private static final long WORD = 256;

    @BeforeAll
    static void needsFutexWait() {
        Feature f = IoUringFeatures.features().stream().filter(x -> x.name().equals("io_uring_futex_wait"))
                .findFirst().orElseThrow();
        assumeTrue(f.available(), "io_uring FUTEX_WAIT unavailable: " + f.detail());
    }

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void aWakeFromAnotherProcessCompletesTheRingsWait() throws Exception {
        long length = Unistd.pageSize();
        int fd = Mman.memfd_create("dsi-uring-futex-test", Mman.MFD_CLOEXEC);
        try (Arena arena = Arena.ofShared();
             IoUring ring = new IoUring(8, 0);
             ChildJvm child = ChildJvm.start(MappedFileChild.class)) {
            Unistd.ftruncate(fd, length);
            MemorySegment map = Mman.map(arena, length, Mman.PROT_READ | Mman.PROT_WRITE, Mman.MAP_SHARED, fd, 0);
            INT.setVolatile(map, WORD, 5);
            child.expect("ready", TIMEOUT);
            child.send("map /proc/" + Unistd.getpid() + "/fd/" + fd + " " + length);
            child.expect("mapped", TIMEOUT);

            ring.prepFutexWait(ring.nextSqe(), map, WORD, 5, Futex.FUTEX2_SIZE_U32, 42L);
            assertEquals(1, ring.submit());
            assertEquals(0, ring.cqReady(), "the wait is pending: the word still holds the expected value");
            child.send("wake " + WORD + " 6");
            assertEquals("woken 1", child.expect("woken", TIMEOUT), "the ring's request was the one waiter");
            List<Cqes.Cqe> done = Cqes.reap(ring, 1, 5_000);
            assertEquals(new Cqes.Cqe(42L, 0, 0), done.getFirst());

            // the value moved on: the next wait must not sleep on the old one
            ring.prepFutexWait(ring.nextSqe(), map, WORD, 5, Futex.FUTEX2_SIZE_U32, 43L);
            ring.submit();
            assertEquals(-Errno.EAGAIN, Cqes.reap(ring, 1, 5_000).getFirst().res());

            child.send("exit");
            assertEquals(0, child.waitFor(TIMEOUT));
        } finally {
            Unistd.close(fd);
        }
    }

    @Test
    @Timeout(30)
    void aPendingWaitIsCancelledByItsUserData() {
        try (Arena arena = Arena.ofConfined();
             IoUring ring = new IoUring(8, 0)) {
            MemorySegment word = arena.allocate(JAVA_INT);
            ring.prepFutexWait(ring.nextSqe(), word, 0, 0, Futex.FUTEX2_SIZE_U32, 7L);
            ring.submit();
            ring.prepCancel(ring.nextSqe(), 7L, 0, 8L);
            ring.submit();
            List<Cqes.Cqe> cqes = Cqes.reap(ring, 2, 5_000);
            for (Cqes.Cqe c : cqes) {
                if (c.userData() == 7L) {
                    assertEquals(-Errno.ECANCELED, c.res(), cqes.toString());
                } else {
                    assertTrue(c.res() >= 0, "the cancel found its request (0, or the count on newer kernels): " + cqes);
                }
            }
            assertEquals(0, Futex.wake(word, 0, 1), "nothing waits on the word any more");
        }
    }

    @Test
    void misalignedAndHeapWordsAreRefused() {
        try (Arena arena = Arena.ofConfined();
             IoUring ring = new IoUring(8, 0)) {
            MemorySegment words = arena.allocate(JAVA_INT, 4);
            long sqe = ring.nextSqe();
            assertThrows(IllegalArgumentException.class, () -> ring.prepFutexWait(sqe, words, 2, 0, 2, 1L));
            assertThrows(IndexOutOfBoundsException.class, () -> ring.prepFutexWait(sqe, words, 16, 0, 2, 1L));
            assertThrows(IllegalArgumentException.class,
                    () -> ring.prepFutexWait(sqe, MemorySegment.ofArray(new int[4]), 0, 0, 2, 1L));
        }
    }
}
