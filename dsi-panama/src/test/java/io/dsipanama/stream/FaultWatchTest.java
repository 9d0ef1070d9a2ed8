package io.dsipanama.stream;

import io.dsipanama.ffm.Fcntl;
import io.dsipanama.ffm.Mman;
import io.dsipanama.ffm.Unistd;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@link FaultWatch} on its own, over any shared mapping (what a shared data area would reuse): faults come
 * as offsets into the mapping, MISSING for a punched page, MINOR for a punched and rewritten one, and
 * nothing for pages this process still maps.
 */
@Timeout(30)
class FaultWatchTest {
    private static final long PAGE = Unistd.pageSize();

    private record Fault(long offset, boolean minor) {
    }

    @Test
    void faultsArriveAsOffsetsWithTheirKind() {
        int fd = Mman.memfd_create("dsi-fault-watch-test", Mman.MFD_CLOEXEC);
        try (Arena arena = Arena.ofShared()) {
            Unistd.ftruncate(fd, 4 * PAGE);
            MemorySegment writer = Mman.map(arena, 4 * PAGE, Mman.PROT_READ | Mman.PROT_WRITE, Mman.MAP_SHARED, fd, 0);
            writer.fill((byte) 1);
            MemorySegment reader = Mman.map(arena, 4 * PAGE, Mman.PROT_READ, Mman.MAP_SHARED, fd, 0).asReadOnly();
            List<Fault> faults = new ArrayList<>();
            FaultWatch.Owners owners = (offset, minor, timeNs) -> faults.add(new Fault(offset, minor));
            try (FaultWatch watch = FaultWatch.open(reader)) {
                assumeTrue(watch.mode() != FaultWatch.Mode.OFF, watch.cause());
                assertEquals(1, reader.get(JAVA_BYTE, 0));
                assertEquals(0, watch.drain(owners), "pre-faulted: no fault");

                Fcntl.fallocate(fd, Fcntl.FALLOC_FL_PUNCH_HOLE | Fcntl.FALLOC_FL_KEEP_SIZE, 2 * PAGE, PAGE);
                assertEquals(0, reader.get(JAVA_BYTE, 2 * PAGE + 100));
                assertEquals(1, watch.drain(owners));
                assertEquals(List.of(new Fault(2 * PAGE, false)), faults);

                Fcntl.fallocate(fd, Fcntl.FALLOC_FL_PUNCH_HOLE | Fcntl.FALLOC_FL_KEEP_SIZE, 3 * PAGE, PAGE);
                writer.asSlice(3 * PAGE, PAGE).fill((byte) 9);
                assertEquals(9, reader.get(JAVA_BYTE, 3 * PAGE + 7));
                watch.drain(owners);
                boolean minor = watch.mode() == FaultWatch.Mode.MINOR_AND_MISSING;
                assertEquals(minor ? List.of(new Fault(2 * PAGE, false), new Fault(3 * PAGE, true))
                        : List.of(new Fault(2 * PAGE, false)), faults, "a rewritten page faults in MINOR mode only");
                assertEquals(1, reader.get(JAVA_BYTE, PAGE));
                assertEquals(0, watch.drain(owners));
                assertEquals(minor ? 2 : 1, watch.faults());
            }
        } finally {
            Unistd.close(fd);
        }
    }
}
