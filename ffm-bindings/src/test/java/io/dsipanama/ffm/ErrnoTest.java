package io.dsipanama.ffm;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ErrnoTest {
    @Test
    void closeOfABadDescriptorNamesTheCallAndErrno() {
        ErrnoException e = assertThrows(ErrnoException.class, () -> Unistd.close(-1));
        assertEquals(Errno.EBADF, e.errno());
        assertEquals("close", e.call());
        assertTrue(e.getMessage().contains("close(fd=-1): EBADF (Bad file descriptor)"), e.getMessage());
    }

    @Test
    void errnoIsPerThread() throws Exception {
        // A failure on another thread must not change what this thread reads for its own failure.
        Thread other = Thread.ofPlatform().start(() -> assertEquals(Errno.EINVAL,
                assertThrows(ErrnoException.class, () -> Mman.munmap(java.lang.foreign.MemorySegment.ofAddress(1), 1)).errno()));
        ErrnoException mine = assertThrows(ErrnoException.class, () -> Unistd.close(-1));
        other.join();
        assertEquals(Errno.EBADF, mine.errno());
    }

    @Test
    void namesAndDescriptions() {
        assertEquals("ETIMEDOUT", Errno.name(Errno.ETIMEDOUT));
        assertEquals("errno 4095", Errno.name(4095));
        assertEquals("Operation not permitted", Errno.describe(Errno.EPERM));
    }
}
