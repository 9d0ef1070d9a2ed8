package io.dsipanama.ffm;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** mlock(2) and munlock(2) of a small mapping, checked in /proc/self/smaps (we run as root). */
class MlockTest {
    @Test
    void aLockedMappingIsReportedLockedUntilUnlocked() throws IOException {
        long length = 4 * Unistd.pageSize();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment map = Mman.map(arena, length, Mman.PROT_READ | Mman.PROT_WRITE,
                    Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS, -1, 0);
            assertEquals(0, lockedKb(map.address()));
            Mman.mlock(map, length);
            assertEquals(length / 1024, lockedKb(map.address()), "mlock faults in and locks every page");
            Mman.munlock(map, length);
            assertEquals(0, lockedKb(map.address()));
        }
    }

    /** The "Locked:" figure of the smaps entry (one VMA) that contains {@code address}. */
    private static long lockedKb(long address) throws IOException {
        List<String> lines = Files.readAllLines(Path.of("/proc/self/smaps"));
        boolean inside = false;
        for (String line : lines) {
            int dash = line.indexOf('-');
            int space = line.indexOf(' ');
            if (dash > 0 && space > dash && line.substring(0, dash).matches("[0-9a-f]+")) {
                long start = Long.parseUnsignedLong(line.substring(0, dash), 16);
                long end = Long.parseUnsignedLong(line.substring(dash + 1, space), 16);
                inside = start <= address && address < end;
            } else if (inside && line.startsWith("Locked:")) {
                return Long.parseLong(line.substring("Locked:".length()).replace("kB", "").trim());
            }
        }
        throw new AssertionError("no mapping of 0x" + Long.toHexString(address) + " in /proc/self/smaps");
    }
}
