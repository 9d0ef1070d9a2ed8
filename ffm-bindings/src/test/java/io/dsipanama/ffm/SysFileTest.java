package io.dsipanama.ffm;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** flock(2) on real files: two open descriptions exclude each other, and a killed holder's lock is released. */
class SysFileTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @Test
    void twoOpenDescriptionsExcludeEachOtherEvenInOneProcess() throws Exception {
        Path file = Files.createTempFile("dsi-flock", ".lock");
        int a = Fcntl.open(file.toString(), Fcntl.O_RDWR | Fcntl.O_CLOEXEC, 0);
        int b = Fcntl.open(file.toString(), Fcntl.O_RDWR | Fcntl.O_CLOEXEC, 0);
        try {
            assertEquals(0, SysFile.flock(a, SysFile.LOCK_EX | SysFile.LOCK_NB));
            assertEquals(-Errno.EAGAIN, SysFile.flock(b, SysFile.LOCK_EX | SysFile.LOCK_NB));
            assertEquals(-Errno.EAGAIN, SysFile.flock(b, SysFile.LOCK_SH | SysFile.LOCK_NB));
            assertEquals(0, SysFile.flock(a, SysFile.LOCK_UN));
            assertEquals(0, SysFile.flock(b, SysFile.LOCK_SH | SysFile.LOCK_NB));
            assertEquals(0, SysFile.flock(a, SysFile.LOCK_SH | SysFile.LOCK_NB), "shared locks coexist");
            assertEquals(0, SysFile.flock(a, SysFile.LOCK_UN));
            assertEquals(0, SysFile.flock(b, SysFile.LOCK_UN));
        } finally {
            Unistd.close(a);
            Unistd.close(b);
            Files.deleteIfExists(file);
        }
        ErrnoException e = assertThrows(ErrnoException.class, () -> SysFile.flock(-1, SysFile.LOCK_EX));
        assertEquals(Errno.EBADF, e.errno());
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void theLockOfAKilledProcessIsReleased() throws Exception {
        Path file = Files.createTempFile("dsi-flock", ".lock");
        int fd = Fcntl.open(file.toString(), Fcntl.O_RDWR | Fcntl.O_CLOEXEC, 0);
        try (ChildJvm child = ChildJvm.start(FlockChild.class, file.toString())) {
            assertEquals("flock rc=0", child.expect("flock", TIMEOUT));
            assertEquals(-Errno.EAGAIN, SysFile.flock(fd, SysFile.LOCK_EX | SysFile.LOCK_NB), "the child holds it");
            child.process().destroyForcibly(); // SIGKILL: no chance to unlock
            child.waitFor(TIMEOUT);
            // the kernel drops the lock with the child's last descriptor; no polling needed after waitFor
            assertEquals(0, SysFile.flock(fd, SysFile.LOCK_EX | SysFile.LOCK_NB));
            assertTrue(SysFile.flock(fd, SysFile.LOCK_UN) == 0);
        } finally {
            Unistd.close(fd);
            Files.deleteIfExists(file);
        }
    }
}
