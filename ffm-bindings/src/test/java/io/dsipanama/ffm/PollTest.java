package io.dsipanama.ffm;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** poll(2) on eventfds, on a descriptor that is not open, and on a pidfd whose process (a child JVM) exits. */
class PollTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @Test
    void pollSeesAnEventfdBecomeReadable() {
        int fd = Eventfd.eventfd(0, Eventfd.EFD_NONBLOCK | Eventfd.EFD_CLOEXEC);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment fds = arena.allocate(Poll.POLLFD, 2);
            Poll.pollfd(fds, 0, fd, Poll.POLLIN);
            Poll.pollfd(fds, 1, fd, Poll.POLLOUT);
            assertEquals(1, Poll.poll(fds, 2, 0), "writable, not readable");
            assertEquals(0, Poll.revents(fds, 0));
            assertEquals(Poll.POLLOUT, Poll.revents(fds, 1));
            Eventfd.signal(fd, 1);
            assertEquals(1, Poll.poll(fds, 1, 1000));
            assertEquals(Poll.POLLIN, Poll.revents(fds, 0));
            assertThrows(IllegalArgumentException.class, () -> Poll.poll(fds, 3, 0));
        } finally {
            Unistd.close(fd);
        }
    }

    @Test
    void pollReportsADescriptorThatIsNotOpen() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment fds = arena.allocate(Poll.POLLFD);
            Poll.pollfd(fds, 0, 1 << 20, Poll.POLLIN); // above any descriptor this JVM has open
            assertEquals(1, Poll.poll(fds, 1, 0));
            assertEquals(Poll.POLLNVAL, Poll.revents(fds, 0));
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aPidfdBecomesReadableWhenItsProcessExits() throws Exception {
        try (ChildJvm child = ChildJvm.start(MappedFileChild.class);
             Arena arena = Arena.ofConfined()) {
            child.expect("ready", TIMEOUT);
            int pidfd = Pidfd.pidfd_open((int) child.pid(), 0);
            assertTrue(pidfd >= 0, "pidfd_open: " + Errno.name(-pidfd));
            try {
                MemorySegment fds = arena.allocate(Poll.POLLFD);
                Poll.pollfd(fds, 0, pidfd, Poll.POLLIN);
                assertEquals(0, Poll.poll(fds, 1, 0), "alive");
                assertFalse(Pidfd.waitForExit(pidfd, 20), "alive, so the wait times out");

                child.send("exit");
                assertTrue(Pidfd.waitForExit(pidfd, TIMEOUT.toMillis()), "the child exited");
                assertEquals(1, Poll.poll(fds, 1, 0));
                assertEquals(Poll.POLLIN, Poll.revents(fds, 0) & Poll.POLLIN);
                assertEquals(0, child.waitFor(TIMEOUT));
            } finally {
                Unistd.close(pidfd);
            }
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void pidfdOpenOfAReapedProcessReturnsEsrch() throws Exception {
        long pid;
        try (ChildJvm child = ChildJvm.start(MappedFileChild.class)) {
            child.expect("ready", TIMEOUT);
            child.send("exit");
            assertEquals(0, child.waitFor(TIMEOUT)); // waitFor reaps it
            pid = child.pid();
        }
        assertEquals(-Errno.ESRCH, Pidfd.pidfd_open((int) pid, 0));
    }

    @Test
    void aNonBlockingPidfdOfThisProcessDoesNotPollReadable() {
        int pidfd = Pidfd.pidfd_open(Unistd.getpid(), Pidfd.PIDFD_NONBLOCK);
        assertTrue(pidfd >= 0, "pidfd_open: " + Errno.name(-pidfd));
        try {
            assertFalse(Pidfd.waitForExit(pidfd, 0));
        } finally {
            Unistd.close(pidfd);
        }
        assertThrows(ErrnoException.class, () -> Pidfd.pidfd_open(Unistd.getpid(), 0x7));
    }
}
