package io.dsipanama.ffm;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The reclaim mechanism of DESIGN.md: punching a page out of a shared /dev/shm file frees it and takes it
 * away from every process that maps it; the other process's next read of it sees zeros.
 */
class PunchHoleTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aPunchedPageReadsAsZerosInTheOtherProcess() throws Exception {
        long page = Unistd.pageSize();
        long length = 4 * page;
        Path path = Path.of("/dev/shm", "dsi-punch-" + Unistd.getpid() + "-" + System.nanoTime());
        int fd = Fcntl.open(path.toString(), Fcntl.O_RDWR | Fcntl.O_CREAT | Fcntl.O_EXCL | Fcntl.O_CLOEXEC, 0600);
        assertTrue(fd >= 0, "open: " + Errno.name(-fd));
        try (Arena arena = Arena.ofShared();
             ChildJvm child = ChildJvm.start(MappedFileChild.class)) {
            assertEquals(-Errno.EEXIST, Fcntl.open(path.toString(), Fcntl.O_RDWR | Fcntl.O_CREAT | Fcntl.O_EXCL, 0600));
            assertEquals(PosixFilePermissions.fromString("rw-------"), Files.getPosixFilePermissions(path));
            Unistd.ftruncate(fd, length);
            MemorySegment map = Mman.map(arena, length, Mman.PROT_READ | Mman.PROT_WRITE, Mman.MAP_SHARED, fd, 0);
            map.fill((byte) 0x5A);
            MemorySegment st = arena.allocate(Stat.STAT);
            Stat.fstat(fd, st);
            long blocksBefore = Stat.st_blocks(st);
            assertTrue(blocksBefore >= length / 512, "all four pages are allocated: st_blocks=" + blocksBefore);

            child.expect("ready", TIMEOUT);
            child.send("map " + path + " " + length);
            child.expect("mapped", TIMEOUT);
            child.send("nonzero " + page + " " + page);
            assertEquals("nonzero " + page + " " + page, child.expect("nonzero", TIMEOUT));

            Fcntl.fallocate(fd, Fcntl.FALLOC_FL_PUNCH_HOLE | Fcntl.FALLOC_FL_KEEP_SIZE, page, page);

            // Before anyone touches the hole again (a read would allocate a fresh zero page).
            Stat.fstat(fd, st);
            assertEquals(length, Stat.st_size(st), "KEEP_SIZE keeps the size");
            assertEquals(blocksBefore - page / 512, Stat.st_blocks(st), "the punched page is freed");

            child.send("nonzero " + page + " " + page);
            assertEquals("nonzero " + page + " 0", child.expect("nonzero", TIMEOUT));
            child.send("nonzero 0 " + page);
            assertEquals("nonzero 0 " + page, child.expect("nonzero", TIMEOUT));
            child.send("nonzero " + 2 * page + " " + 2 * page);
            assertEquals("nonzero " + 2 * page + " " + 2 * page, child.expect("nonzero", TIMEOUT));
            assertEquals(0, map.asSlice(page, page).elements(JAVA_BYTE).filter(b -> b.get(JAVA_BYTE, 0) != 0).count(),
                    "this process's own view of the page is zeros too");
            child.send("exit");
            assertEquals(0, child.waitFor(TIMEOUT));
        } finally {
            Unistd.close(fd);
            Unistd.unlink(path.toString());
        }
        assertFalse(Files.exists(path));
    }
}
