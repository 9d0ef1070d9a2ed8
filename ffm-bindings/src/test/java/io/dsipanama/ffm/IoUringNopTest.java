package io.dsipanama.ffm;

import java.lang.foreign.MemorySegment;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static io.dsipanama.ffm.Liburing.IO_URING_SQE;
import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** SQEs filled in Java, one submit per batch, CQEs reaped in Java: the ring mechanics without I/O. */
@Timeout(30)
class IoUringNopTest {
    private static final long WAIT_MS = 5_000;

    private long openBefore;

    @BeforeEach
    void countOpen() {
        openBefore = OpenFds.socketsAndRings();
    }

    @AfterEach
    void nothingLeftOpen() {
        assertEquals(openBefore, OpenFds.socketsAndRings(), "rings left open");
    }

    @Test
    void thirtyTwoNopsInOneSubmitComeBackWithTheirUserData() {
        try (IoUring ring = new IoUring(64, 0)) {
            for (int i = 0; i < 32; i++) {
                long sqe = ring.nextSqe();
                assertTrue(sqe >= 0, "slot " + i);
                ring.prepNop(sqe, 1000 + i);
            }
            assertEquals(32, ring.sqReady());
            assertEquals(0, ring.sqKtail().get(JAVA_INT, 0), "nothing published before submit");

            assertEquals(32, ring.submit(), "one io_uring_submit for the whole batch");
            assertEquals(32, ring.sqKtail().get(JAVA_INT, 0), "submit published sq.sqe_tail to *ktail");

            List<Cqes.Cqe> cqes = Cqes.reap(ring, 32, WAIT_MS);
            assertEquals(32, cqes.size());
            for (int i = 0; i < 32; i++) {
                assertEquals(1000 + i, cqes.get(i).userData(), "CQE " + i);
                assertEquals(0, cqes.get(i).res());
            }
            assertEquals(32, ring.cqKhead().get(JAVA_INT, 0), "head released after the batch");
            assertEquals(0, ring.cqReady());
            assertEquals(0, ring.forEachCqe((u, r, f) -> { }), "an empty CQ hands out nothing");
        }
    }

    @Test
    void liburingMapsTheSqArrayOneToOne() {
        try (IoUring ring = new IoUring(32, 0)) {
            assertEquals(32, ring.sqEntries());
            assertEquals(64, ring.cqEntries());
            MemorySegment array = ring.sqArray();
            for (int i = 0; i < ring.sqEntries(); i++) {
                assertEquals(i, array.getAtIndex(JAVA_INT, i), "sq.array[" + i + "]");
            }
        }
    }

    @Test
    void aFullSqGivesTheSentinelUntilSubmitted() {
        try (IoUring ring = new IoUring(8, 0)) {
            assertEquals(8, ring.sqEntries());
            for (int round = 0; round < 3; round++) { // 24 SQEs through 8 slots: the indexes wrap
                for (int i = 0; i < 8; i++) {
                    long sqe = ring.nextSqe();
                    assertEquals((long) i * IO_URING_SQE.byteSize(), sqe, "round " + round + " slot " + i);
                    ring.prepNop(sqe, round * 8L + i);
                }
                assertEquals(-1, ring.nextSqe(), "full");
                assertEquals(-1, ring.nextSqe(), "still full, and the failed claims took nothing");
                assertEquals(0, ring.sqSpaceLeft());
                assertEquals(8, ring.submit());
                assertEquals(8, ring.sqSpaceLeft());
                List<Cqes.Cqe> cqes = Cqes.reap(ring, 8, WAIT_MS);
                assertEquals(round * 8L + 7, cqes.get(7).userData());
            }
        }
    }

    @Test
    void prepZeroesTheWholeEntry() {
        try (IoUring ring = new IoUring(8, 0)) {
            long sqe = ring.nextSqe();
            ring.sqes().asSlice(sqe, IO_URING_SQE.byteSize()).fill((byte) 0xff);
            ring.prepNop(sqe, 0x1122334455667788L);
            MemorySegment entry = ring.sqes().asSlice(sqe, IO_URING_SQE.byteSize());
            long fd = IO_URING_SQE.byteOffset(groupElement("fd"));
            long userData = IO_URING_SQE.byteOffset(groupElement("user_data"));
            for (long i = 0; i < entry.byteSize(); i++) {
                if (i >= fd && i < fd + 4) {
                    assertEquals((byte) 0xff, entry.get(JAVA_BYTE, i), "fd = -1");
                } else if (i < userData || i >= userData + 8) {
                    assertEquals(0, entry.get(JAVA_BYTE, i), "byte " + i + " zeroed");
                }
            }
            assertEquals(0x1122334455667788L, entry.get(JAVA_LONG, userData));
            assertEquals(1, ring.submit());
            assertEquals(0x1122334455667788L, Cqes.reap(ring, 1, WAIT_MS).getFirst().userData());
        }
    }

    @Test
    void submitAndWaitTimesOutOrReturnsWhenReady() {
        try (IoUring ring = new IoUring(8, 0)) {
            assertEquals(-Errno.ETIME, ring.submitAndWait(1, 20_000_000L), "nothing in flight: times out");
            ring.prepNop(ring.nextSqe(), 6);
            assertEquals(1, ring.submit());
            assertEquals(0, ring.submitAndWait(1, 5_000_000_000L), "nothing to submit, a completion is ready");
            assertEquals(1, ring.forEachCqe((u, r, f) -> assertEquals(6, u)));
            ring.prepNop(ring.nextSqe(), 7);
            assertEquals(1, ring.submitAndWait(1, 5_000_000_000L), "liburing 2.3 returns the count submitted");
            assertEquals(1, ring.cqReady());
            assertEquals(1, ring.forEachCqe((u, r, f) -> assertEquals(7, u)));
        }
    }

    @Test
    void deferTaskrunRingWorksFromItsOwnThread() {
        int flags = Liburing.IORING_SETUP_SINGLE_ISSUER | Liburing.IORING_SETUP_DEFER_TASKRUN;
        try (IoUring ring = new IoUring(8, flags)) {
            assertEquals(flags, ring.setupFlags() & flags);
            ring.prepNop(ring.nextSqe(), 42);
            assertEquals(1, ring.submitAndWait(1));
            assertEquals(1, ring.forEachCqe((u, r, f) -> assertEquals(42, u)));
        }
    }

    @Test
    void closeIsIdempotentAndTheSharedMemoryBecomesInaccessible() {
        IoUring ring = new IoUring(8, 0);
        MemorySegment sqes = ring.sqes();
        ring.close();
        ring.close();
        assertTrue(ring.isClosed());
        assertThrows(IllegalStateException.class, () -> sqes.get(JAVA_BYTE, 0));
        assertThrows(IllegalStateException.class, ring::nextSqe);
    }

    @Test
    void refusesEntryStridesItCannotDrive() {
        assertThrows(IllegalArgumentException.class, () -> new IoUring(8, Liburing.IORING_SETUP_SQE128));
        assertThrows(IllegalArgumentException.class, () -> new IoUring(8, Liburing.IORING_SETUP_CQE32));
    }
}
