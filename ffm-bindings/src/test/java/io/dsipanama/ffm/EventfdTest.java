package io.dsipanama.ffm;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EventfdTest {
    @Test
    void aNonBlockingEventfdSumsSignalsAndDrainsToEagain() throws Exception {
        int fd = Eventfd.eventfd(0, Eventfd.EFD_NONBLOCK | Eventfd.EFD_CLOEXEC);
        try {
            // fdinfo prints the open flags in octal: the flags reached the kernel.
            int flags = fdinfoFlags(fd);
            assertEquals(Eventfd.EFD_NONBLOCK, flags & Eventfd.EFD_NONBLOCK);
            assertEquals(Eventfd.EFD_CLOEXEC, flags & Eventfd.EFD_CLOEXEC);

            assertEquals(-Errno.EAGAIN, Eventfd.drain(fd));
            assertEquals(0, Eventfd.signal(fd, 3));
            assertEquals(0, Eventfd.signal(fd, 4));
            assertEquals(7, Eventfd.drain(fd));
            assertEquals(-Errno.EAGAIN, Eventfd.drain(fd));
            assertThrows(IllegalArgumentException.class, () -> Eventfd.signal(fd, 0));
        } finally {
            Unistd.close(fd);
        }
    }

    @Test
    void aSemaphoreEventfdCountsDownByOne() {
        int fd = Eventfd.eventfd(2, Eventfd.EFD_NONBLOCK | Eventfd.EFD_SEMAPHORE | Eventfd.EFD_CLOEXEC);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment counter = arena.allocate(JAVA_LONG);
            assertEquals(1, Eventfd.drain(fd, counter));
            assertEquals(1, Eventfd.drain(fd));
            assertEquals(-Errno.EAGAIN, Eventfd.drain(fd, counter));
            assertThrows(IllegalArgumentException.class, () -> Eventfd.drain(fd, arena.allocate(4)));
        } finally {
            Unistd.close(fd);
        }
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void aBlockedReaderIsWokenBySignal() throws Exception {
        int fd = Eventfd.eventfd(0, Eventfd.EFD_CLOEXEC);
        CompletableFuture<Integer> tid = new CompletableFuture<>();
        CompletableFuture<Long> drained = new CompletableFuture<>();
        Thread reader = Thread.ofPlatform().name("eventfd-reader").start(() -> {
            try {
                tid.complete(Unistd.gettid());
                drained.complete(Eventfd.drain(fd));
            } catch (Throwable t) {
                drained.completeExceptionally(t);
            }
        });
        try {
            ProcSyscall.awaitBlockedIn(Unistd.getpid(), tid.get(10, TimeUnit.SECONDS),
                    ProcSyscall.SYS_READ, fd, Duration.ofSeconds(10));
            assertEquals(0, Eventfd.signal(fd, 5));
            assertEquals(5L, drained.get(10, TimeUnit.SECONDS));
        } finally {
            if (!drained.isDone()) {
                Eventfd.signal(fd, 1); // closing does not wake a blocked read(2); a signal does
            }
            reader.join(10_000);
            Unistd.close(fd);
        }
    }

    @Test
    void eventfdWithBadFlagsThrows() {
        ErrnoException e = assertThrows(ErrnoException.class, () -> Eventfd.eventfd(0, 0x40000000));
        assertEquals(Errno.EINVAL, e.errno());
        assertTrue(e.getMessage().startsWith("eventfd(initval=0, flags=0x40000000)"), e.getMessage());
    }

    private static int fdinfoFlags(int fd) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/fdinfo/" + fd))) {
            if (line.startsWith("flags:")) {
                return Integer.parseInt(line.substring("flags:".length()).trim(), 8);
            }
        }
        throw new AssertionError("no flags in /proc/self/fdinfo/" + fd);
    }
}
