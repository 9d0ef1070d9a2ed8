package io.dsipanama.ffm;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** A memfd mapped MAP_SHARED in this JVM and in a child JVM: each sees the other's writes; fstat and fchmod. */
class SharedMemoryCrossProcessTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final VarHandle LONG = JAVA_LONG.varHandle();

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void writesAreVisibleInBothDirections() throws Exception {
        long length = 2 * Unistd.pageSize();
        int fd = Mman.memfd_create("dsi-shm-test", Mman.MFD_CLOEXEC);
        try (Arena arena = Arena.ofShared();
             ChildJvm child = ChildJvm.start(MappedFileChild.class)) {
            Unistd.ftruncate(fd, length);
            MemorySegment map = Mman.map(arena, length, Mman.PROT_READ | Mman.PROT_WRITE, Mman.MAP_SHARED, fd, 0);
            LONG.setVolatile(map, 0L, 0x1122334455667788L);

            child.expect("ready", TIMEOUT);
            // The child reopens our memfd through /proc: the same file, so the same pages.
            child.send("map /proc/" + Unistd.getpid() + "/fd/" + fd + " " + length);
            child.expect("mapped", TIMEOUT);
            child.send("get 0");
            assertEquals("value 0 " + 0x1122334455667788L, child.expect("value", TIMEOUT));

            child.send("put " + Unistd.pageSize() + " 42");
            child.expect("put", TIMEOUT);
            assertEquals(42L, (long) LONG.getVolatile(map, Unistd.pageSize()));

            LONG.setVolatile(map, 8L, -7L);
            child.send("get 8");
            assertEquals("value 8 -7", child.expect("value", TIMEOUT));
            child.send("exit");
            assertEquals(0, child.waitFor(TIMEOUT));
        } finally {
            Unistd.close(fd);
        }
    }

    @Test
    void fstatReportsSizeTypeAndOwnerAndFchmodChangesTheMode() throws Exception {
        int fd = Mman.memfd_create("dsi-stat-test", Mman.MFD_CLOEXEC);
        try (Arena arena = Arena.ofConfined()) {
            Unistd.ftruncate(fd, 3 * Unistd.pageSize());
            MemorySegment st = arena.allocate(Stat.STAT);
            Stat.fstat(fd, st);
            assertEquals(3 * Unistd.pageSize(), Stat.st_size(st));
            assertEquals(Stat.S_IFREG, Stat.st_mode(st) & Stat.S_IFMT);
            // /proc/self belongs to this process's effective uid
            assertEquals((int) Files.getAttribute(Path.of("/proc/self"), "unix:uid"), Stat.st_uid(st));

            Stat.fchmod(fd, Stat.S_IRUSR | Stat.S_IWUSR | Stat.S_IRGRP);
            Stat.fstat(fd, st);
            assertEquals(0640, Stat.st_mode(st) & 07777);
            Stat.fchmod(fd, Stat.S_IRUSR | Stat.S_IWUSR);
            Stat.fstat(fd, st);
            assertEquals(0600, Stat.st_mode(st) & 07777);
        } finally {
            Unistd.close(fd);
        }
    }

    @Test
    void fstatOfABadDescriptorThrowsAndAShortBufferIsRefused() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment st = arena.allocate(Stat.STAT);
            assertEquals(Errno.EBADF,
                    assertThrows(ErrnoException.class, () -> Stat.fstat(-1, st)).errno());
            assertThrows(IllegalArgumentException.class,
                    () -> Stat.fstat(0, arena.allocate(Stat.STAT.byteSize() - 8)));
        }
    }
}
