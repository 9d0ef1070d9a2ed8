package io.dsipanama.stream;

import io.dsipanama.ffm.Unistd;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.locks.LockSupport;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Reclaim in one process (producer and consumer are separate mappings of the stream file, the consumer's
 * registered with userfaultfd as in another process): what the consumer is told, by state and by fault,
 * the accounting through the drop record, reuse of reclaimed pages, and a steady state without faults.
 */
@Timeout(60)
class ReclaimTest {
    private static final int PAGE = (int) Unistd.pageSize();
    private final TestRoot root = new TestRoot();

    @AfterEach
    void cleanUp() throws Exception {
        root.close();
    }

    /** 8 descriptors, 16 data pages, packets of up to 3 pages: 5 three-page packets fill pages 0..14. */
    private StreamProducer producer() {
        return StreamProducer.create(root.dir, "r", StreamSpec.builder().descriptorCount(8).maxPacketBytes(3 * PAGE)
                .dataBytes(16L * PAGE).policy(OverflowPolicy.DROP_OLDEST).build());
    }

    private static void publish(StreamProducer p, int length, int fill, long vt) {
        Claim c = p.tryClaim(length);
        c.buffer().asSlice(c.offset(), length).fill((byte) fill);
        c.commit(vt);
    }

    /** Reads every byte of the packet (from Java, through the registered mapping) and returns the distinct values. */
    private static List<Byte> read(Packet k, long from, long length) {
        List<Byte> seen = new ArrayList<>();
        for (byte b : k.buffer().asSlice(k.offset() + from, length).toArray(JAVA_BYTE)) {
            if (!seen.contains(b)) {
                seen.add(b);
            }
        }
        return seen;
    }

    @Test
    void aPacketReclaimedBeforeItWasTakenIsReportedRevokedAndItsPagesPunched() {
        try (StreamProducer p = producer(); StreamConsumer c = StreamConsumer.open(root.dir, "r")) {
            for (int i = 0; i < 3; i++) {
                publish(p, 3 * PAGE, 10 + i, i);
            }
            assertTrue(p.reclaim(1));
            assertFalse(p.reclaim(1), "already taken back");
            assertEquals(1, p.stats().counter(StreamCounter.RECLAIMED));
            assertEquals(3, p.stats().counter(StreamCounter.PAGES_RECLAIMED));
            Packet a = c.poll();
            assertEquals(0, a.position());
            assertEquals(List.of((byte) 10), read(a, 0, a.length()));
            assertTrue(a.release());
            Packet b = c.poll();
            assertEquals(2, b.position());
            assertEquals(1, b.lostBefore(LossReason.REVOKED));
            assertEquals(1, c.lost(LossReason.REVOKED));
            assertTrue(b.release());
            assertEquals(0, c.stats().counter(StreamCounter.REVOKED_BY_FAULT), "nobody touched the reclaimed pages");
        }
    }

    @Test
    void aHeldPacketReclaimedFaultsOnTheNextTouchAndIsReusedAfterwards() {
        try (StreamProducer p = producer(); StreamConsumer c = StreamConsumer.open(root.dir, "r")) {
            assumeTrue(c.faultWatchMode() != FaultWatch.Mode.OFF, "no userfaultfd here: " + c.faultWatchCause());
            List<long[]> told = new ArrayList<>();
            c.onRevocation((vt, position, faultTimeNs) -> told.add(new long[]{vt, position, faultTimeNs}));
            for (int i = 0; i < 5; i++) {
                publish(p, 3 * PAGE, 10 + i, 100 + i);
            }
            Packet held = c.poll();
            assertEquals(List.of((byte) 10), read(held, 0, held.length()));
            long beforeNs = System.nanoTime();
            assertTrue(p.reclaim(1), "READY: reclaimed");
            assertTrue(p.reclaim(0), "TAKEN: revoked");
            assertEquals(1, p.stats().counter(StreamCounter.REVOKED));
            assertEquals(6, p.stats().counter(StreamCounter.PAGES_RECLAIMED));
            assertFalse(held.isStillValid());

            // the first page only: a MISSING fault, resolved with a zeroed page, is the notification
            assertEquals(List.of((byte) 0), read(held, 0, PAGE), "a punched page reads as zeros");
            assertFalse(held.release());
            assertEquals(1, told.size(), "the listener, once");
            assertEquals(100, told.getFirst()[0]);
            assertEquals(0, told.getFirst()[1]);
            assertTrue(told.getFirst()[2] >= beforeNs, "the fault came after the reclaim");
            assertEquals(1, c.stats().counter(StreamCounter.REVOKED_BY_FAULT));
            assertEquals(0, c.stats().counter(StreamCounter.REVOKED_BY_CHECK));

            for (int i = 2; i < 5; i++) {
                Packet k = c.poll();
                assertEquals(i, k.position());
                assertEquals(i == 2 ? 2 : 0, k.lostBefore(LossReason.REVOKED), "reclaimed 1 and revoked 0, before 2");
                assertEquals(List.of((byte) (10 + i)), read(k, 0, k.length()));
                assertTrue(k.release());
            }
            // reuse: positions 5 and 6 wrap onto pages 0..5, which were punched
            publish(p, 3 * PAGE, 15, 105);
            publish(p, 3 * PAGE, 16, 106);
            for (int i = 5; i < 7; i++) {
                Packet k = c.poll();
                assertEquals(i, k.position());
                assertEquals((i - 5) * 3L * PAGE, k.offset(), "the wrap put it on the reclaimed pages");
                assertEquals(List.of((byte) (10 + i)), read(k, 0, k.length()), "reused pages hold the new packet");
                assertTrue(k.isStillValid());
                assertTrue(k.release());
            }
            StreamStats s = c.stats();
            assertEquals(1, s.counter(StreamCounter.REVOKED_BY_FAULT), "reuse is not revocation");
            assertEquals(1, told.size());
            // page 0 was filled by our own fault; 1, 2 (revoked, untouched) and 3..5 (reclaimed) refault once each
            long expectedReuse = c.faultWatchMode() == FaultWatch.Mode.MINOR_AND_MISSING ? 5 : 0;
            assertEquals(expectedReuse, s.counter(StreamCounter.REUSE_FAULTS), () -> "mode " + c.faultWatchMode());
            assertEquals(0, s.counter(StreamCounter.FAULT_EVENTS_LOST));
        }
    }

    @Test
    void dropOldestRevokingAHeldPacketPunchesItSoTheHolderIsToldByFault() {
        try (StreamProducer p = producer(); StreamConsumer c = StreamConsumer.open(root.dir, "r")) {
            assumeTrue(c.faultWatchMode() != FaultWatch.Mode.OFF, "no userfaultfd here: " + c.faultWatchCause());
            publish(p, 3 * PAGE, 1, 0);
            Packet held = c.poll();
            for (int i = 1; i <= 5; i++) {
                publish(p, 3 * PAGE, 1 + i, i); // the sixth three-page packet no longer fits: position 0 must go
            }
            assertEquals(1, p.stats().counter(StreamCounter.REVOKED), "DROP_OLDEST revoked the held packet");
            assertEquals(3, p.stats().counter(StreamCounter.PAGES_RECLAIMED));
            // position 5 wrapped onto pages 0..2 after the punch: our mapping lost them, the read raises MINOR
            // (MISSING-only mode: no fault, the kernel maps the new page) and sees position 5's bytes
            assertEquals(List.of((byte) 6), read(held, 2L * PAGE, PAGE), "the held packet's bytes are gone");
            assertFalse(held.release());
            boolean minor = c.faultWatchMode() == FaultWatch.Mode.MINOR_AND_MISSING;
            assertEquals(minor ? 1 : 0, c.stats().counter(StreamCounter.REVOKED_BY_FAULT), "told by the fault on that page");
            assertEquals(minor ? 0 : 1, c.stats().counter(StreamCounter.REVOKED_BY_CHECK));
        }
    }

    @Test
    void withoutTheFaultWatchTheStateCheckAloneReportsTheRevocation() {
        System.setProperty(FaultWatch.DISABLE_PROPERTY, "true");
        StreamConsumer opened;
        try (StreamProducer p = producer()) {
            try {
                opened = StreamConsumer.open(root.dir, "r");
            } finally {
                System.clearProperty(FaultWatch.DISABLE_PROPERTY);
            }
            try (StreamConsumer c = opened) {
                assertEquals(FaultWatch.Mode.OFF, c.faultWatchMode());
                assertEquals(FaultWatch.Mode.OFF, c.stats().faultWatch(), "the stats say so");
                List<Long> faultTimes = new ArrayList<>();
                c.onRevocation((vt, position, faultTimeNs) -> faultTimes.add(faultTimeNs));
                publish(p, 3 * PAGE, 7, 1);
                Packet held = c.poll();
                assertTrue(p.reclaim(0));
                read(held, 0, held.length()); // no watch: the kernel maps a fresh page, nobody is told
                assertFalse(held.isStillValid());
                assertFalse(held.release());
                assertEquals(List.of(-1L), faultTimes);
                assertEquals(1, c.stats().counter(StreamCounter.REVOKED_BY_CHECK));
                assertEquals(0, c.stats().counter(StreamCounter.REVOKED_BY_FAULT));
            }
        }
    }

    @Test
    void aConsumerLappedPastReclaimedPositionsCountsThemRevokedThroughTheDropRecord() {
        try (StreamProducer p = producer(); StreamConsumer c = StreamConsumer.open(root.dir, "r")) {
            for (int i = 0; i < 8; i++) {
                publish(p, 64, i, i);
            }
            assertEquals(8, p.reclaimAll());
            for (int i = 8; i < 12; i++) {
                publish(p, 64, i, i); // reuses the slots of 0..3: the consumer is lapped
            }
            Packet k = c.poll();
            assertEquals(8, k.position());
            assertEquals(8, k.lostBefore(LossReason.REVOKED));
            assertEquals(8, k.lostBefore());
            assertTrue(k.release());
            for (int i = 9; i < 12; i++) {
                assertTrue(c.poll().release());
            }
            assertNull(c.poll());
            assertEquals(0, c.stats().counter(StreamCounter.CORRUPTION_DETECTED));
            assertEquals(8, c.stats().counter(StreamCounter.RECLAIMED) - c.stats().counter(StreamCounter.PAGES_RECLAIMED),
                    "64-byte packets cover no whole page: nothing punched");
        }
    }

    @Test
    void reclaimOlderThanAVirtualTimeAndTheOldest() {
        try (StreamProducer p = producer(); StreamConsumer c = StreamConsumer.open(root.dir, "r")) {
            for (int i = 1; i <= 6; i++) {
                publish(p, 100, i, i * 10L);
            }
            assertEquals(3, p.reclaimOlderThan(40));
            assertEquals(3, p.reclaimOldest(), "position 3 (vt 40) is now the oldest");
            Packet k = c.poll();
            assertEquals(50, k.virtualTime());
            assertEquals(4, k.lostBefore(LossReason.REVOKED));
            assertTrue(k.release());
            assertTrue(c.poll().release());
            assertEquals(-1, p.reclaimOldest(), "everything was released");
        }
    }

    @Test
    void expiredPacketsGiveTheirMemoryBackWhenAsked() {
        StreamSpec spec = StreamSpec.builder().descriptorCount(8).maxPacketBytes(2 * PAGE).dataBytes(16L * PAGE)
                .mode(StreamMode.REAL_TIME).nsPerTick(1_000_000).validityTicks(2).build();
        try (StreamProducer p = StreamProducer.create(root.dir, "e", spec);
             StreamConsumer c = StreamConsumer.open(root.dir, "e")) {
            publish(p, 2 * PAGE, 1, p.virtualTimeNow());
            publish(p, 2 * PAGE, 2, p.virtualTimeNow());
            long deadline = System.nanoTime() + 10_000_000_000L;
            int n;
            while ((n = p.reclaimExpired()) < 2 && System.nanoTime() < deadline) {
                LockSupport.parkNanos(1_000_000);
            }
            assertEquals(2, n);
            assertEquals(2, p.stats().counter(StreamCounter.EXPIRED));
            assertEquals(4, p.stats().counter(StreamCounter.PAGES_RECLAIMED));
            assertNull(c.poll());
            assertEquals(2, c.lost(LossReason.EXPIRED));
        }
    }

    @Test
    void theSteadyStateTakesNoFault() {
        try (StreamProducer p = producer(); StreamConsumer c = StreamConsumer.open(root.dir, "r")) {
            SplittableRandom random = new SplittableRandom(5);
            for (int i = 0; i < 3000; i++) {
                int length = 1 + random.nextInt(3 * PAGE);
                publish(p, length, i, i);
                Packet k = c.poll();
                assertEquals(List.of((byte) i), read(k, 0, k.length()));
                assertTrue(k.release());
            }
            StreamStats s = c.stats();
            assertEquals(0, s.counter(StreamCounter.REUSE_FAULTS) + s.counter(StreamCounter.REVOKED_BY_FAULT),
                    "a page fault in the steady state");
            assertEquals(0, s.counter(StreamCounter.PAGES_RECLAIMED));
        }
    }
}
