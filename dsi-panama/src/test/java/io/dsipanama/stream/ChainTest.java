package io.dsipanama.stream;

import io.dsipanama.ffm.support.LayoutField;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.Map;

import static io.dsipanama.stream.ChainAreaDescriptor.*;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.*;

/** Memory chaining in one process: reclaim reaching every holder, expiry, dead-holder sweeps, bounds, layout. */
@Timeout(120)
class ChainTest {

    private static StreamSpec spec(int descriptors) {
        return StreamSpec.builder().descriptorCount(descriptors).maxPacketBytes(4096).dataBytes(4096)
                .policy(OverflowPolicy.BLOCK).build();
    }

    private static long publish(StreamProducer p, long seq) {
        Claim c = p.tryClaim(ChainPipelineMain.lengthOf(seq));
        assertNotNull(c);
        ChainPipelineMain.fill(c.buffer(), c.offset(), seq, c.length());
        c.commit(seq);
        return c.offset();
    }

    @Test
    void aReclaimReachesThePacketHeldUpstreamAndTheOneQueuedDownstream() throws Exception {
        try (TestRoot root = new TestRoot();
             ChainArea area = ChainArea.create(root.dir, "c", ChainSpec.forStreams(4096, 8, 8));
             ChainHolder h = area.attach();
             StreamProducer pa = h.createProducer("a", spec(8));
             StreamConsumer ca = h.openConsumer("a");
             StreamProducer pb = h.createProducer("b", spec(8));
             StreamConsumer cb = h.openConsumer("b")) {
            long x = publish(pa, 0);
            publish(pa, 1);
            Packet kx = ca.poll();
            assertEquals(x, kx.offset());
            assertTrue(pb.forward(kx), "forwarded by reference, queued in b");
            assertEquals(2, area.blocksInUse());
            assertEquals(2, refs(area.acquireWord(area.blockAt(x))), "held in a, queued in b");

            assertTrue(h.revoke(x));
            assertEquals(FREE, code(area.acquireWord(area.blockAt(x))), "no slot names it any more: freed at once");
            assertFalse(kx.isStillValid(), "the filter's input packet reports revoked");
            assertEquals(0L, area.data().get(JAVA_LONG, x), "its pages were punched out of the file");
            assertFalse(kx.release());
            assertEquals(1, ca.lost(LossReason.REVOKED));
            assertNull(cb.poll(), "the queued copy is never delivered");
            assertEquals(1, cb.lost(LossReason.REVOKED), "the sink counts it revoked");
            assertEquals(1, area.blocksInUse(), "the revoked block was freed with its last reference");

            Packet ky = ca.poll();
            assertTrue(pb.forward(ky));
            assertTrue(ky.release());
            Packet out = cb.poll();
            assertEquals(1, out.virtualTime());
            assertEquals(1, out.lostBefore(LossReason.REVOKED));
            assertEquals(-1, ChainPipelineMain.check(out.buffer(), out.offset(), 1, out.length()));
            assertTrue(out.isStillValid());
            assertTrue(out.release());

            long z = publish(pa, 2);
            Packet kz = ca.poll();
            assertTrue(h.revoke(z));
            assertFalse(pb.forward(kz), "a revoked packet is not forwarded");
            assertFalse(kz.release());
            assertEquals(0, area.blocksInUse());

            Claim claim = pa.tryClaim(100); // a claim being written when its block is reclaimed
            assertTrue(h.revoke(claim.offset()));
            assertTrue(area.isRevoked(claim.offset()), "the lookup a fault watcher uses");
            claim.commit(3);
            assertNull(ca.poll(), "published revoked: never delivered");
            assertEquals(3, ca.lost(LossReason.REVOKED));
            assertEquals(0, area.blocksInUse());
        }
    }

    @Test
    void expiredPacketsGiveTheirBlocksBackEvenWhenHeld() throws Exception {
        StreamSpec rt = StreamSpec.builder().descriptorCount(8).maxPacketBytes(4096).dataBytes(4096)
                .policy(OverflowPolicy.DROP_NEWEST).mode(StreamMode.REAL_TIME).nsPerTick(1_000_000).validityTicks(5)
                .build();
        try (TestRoot root = new TestRoot();
             ChainArea area = ChainArea.create(root.dir, "c", ChainSpec.forStreams(4096, 8));
             ChainHolder h = area.attach();
             StreamProducer p = h.createProducer("a", rt);
             StreamConsumer c = h.openConsumer("a")) {
            Packet[] held = new Packet[3];
            long published = 0;
            long deadline = System.nanoTime() + 2_000_000_000L;
            while (published < 200) {
                assertTrue(System.nanoTime() < deadline, "expiry never made room: " + published);
                Claim claim = p.tryClaim(64);
                if (claim != null) {
                    claim.commit(p.virtualTimeNow());
                    published++;
                    if (published <= held.length) {
                        held[(int) published - 1] = c.poll(); // held past their expiry, never released
                    }
                } else {
                    java.util.concurrent.locks.LockSupport.parkNanos(500_000);
                }
                assertTrue(area.blocksInUse() <= 8, "never more blocks than descriptors: " + area.blocksInUse());
            }
            for (Packet k : held) {
                assertFalse(k.isStillValid(), "the producer took the expired block back");
            }
            StreamStats stats = p.stats();
            assertEquals(3, stats.counter(StreamCounter.REVOKED));
            assertTrue(stats.counter(StreamCounter.EXPIRED) >= 150, "expired: " + stats.counter(StreamCounter.EXPIRED));
        }
    }

    @Test
    void aSweepResolvesEveryStateADeadHolderCanLeave() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        assertEquals(0, gone.waitFor());
        int dead = 15;
        try (TestRoot root = new TestRoot();
             ChainArea area = ChainArea.create(root.dir, "c", ChainSpec.forStreams(4096, 8));
             ChainHolder h = area.attach();
             StreamProducer p = h.createProducer("a", spec(8));
             StreamConsumer c = h.openConsumer("a")) {
            long published = publish(p, 0); // position 0 of stream 0
            int b0 = area.blockAt(published);
            long rec = HOLDERS_OFFSET + (long) dead * HOLDER_LENGTH;
            area.segment().set(JAVA_LONG, rec + HOLDER_START_TIME, 1L);
            area.segment().set(JAVA_INT, rec + HOLDER_PID, (int) gone.pid());
            // 1: an uncommitted claim; 2: publishing position 5 (never published); 3: had published position 0
            int b1 = 5;
            int b2 = 6;
            assertTrue(area.casWord(b1, area.acquireWord(b1), withHolder(word(1, 0, 0, LIVE), dead, PRIVATE)));
            assertTrue(area.casWord(b2, area.acquireWord(b2), withHolder(word(1, 0, 1, LIVE), dead, PUBLISHING)));
            area.segment().set(JAVA_INT, rec + HOLDER_PENDING_STREAM, 0);
            area.segment().set(JAVA_LONG, rec + HOLDER_PENDING_POSITION, 5);
            area.segment().set(JAVA_INT, rec + HOLDER_PENDING_BLOCK, b2);
            assertEquals(3, area.blocksInUse());
            assertEquals(1, h.sweepDead());
            assertEquals(FREE, code(area.acquireWord(b1)));
            assertEquals(FREE, code(area.acquireWord(b2)), "the slot it was publishing never appeared");

            assertTrue(area.casWord(b0, area.acquireWord(b0), withHolder(area.acquireWord(b0), dead, PUBLISHING)));
            area.segment().set(JAVA_INT, rec + HOLDER_PENDING_POSITION, 0);
            area.segment().set(JAVA_INT, rec + HOLDER_PENDING_BLOCK, b0);
            area.segment().set(JAVA_INT, rec + HOLDER_PID, (int) gone.pid());
            assertEquals(1, h.sweepDead());
            long w = area.acquireWord(b0);
            assertEquals(LIVE, code(w));
            assertEquals(1, refs(w), "the published slot keeps its reference");
            assertEquals(0, holderBits(w));
            assertTrue(c.poll().release());
            assertEquals(0, area.blocksInUse());
        }
    }

    @Test
    void anOffsetThatNamesNoBlockIsRefusedBeforeAnySlice() throws Exception {
        try (TestRoot root = new TestRoot();
             ChainArea area = ChainArea.create(root.dir, "c", ChainSpec.forStreams(4096, 8));
             ChainHolder h = area.attach();
             StreamProducer p = h.createProducer("a", spec(8));
             StreamConsumer c = h.openConsumer("a");
             StreamMapping raw = root.dir.open("a", StreamRole.CONSUMER)) {
            long[] hostile = {area.data().byteSize() - 8, 4096 + 64, -4096, Long.MAX_VALUE - 4096};
            for (long bad : hostile) {
                publish(p, 0);
                long base = PacketDescriptorDescriptor.slotOffset((int) (c.position() & 7));
                raw.controlSegment().set(JAVA_LONG, base + PacketDescriptorDescriptor.DATA_OFFSET_OFFSET, bad);
                assertThrows(StreamCorruptionException.class, c::poll, "offset " + bad);
            }
            assertEquals(hostile.length, c.lost(LossReason.CORRUPT));
        }
    }

    @Test
    void layoutTablesTileAndMatchTheConstants() {
        assertTiles(HEADER_FIELDS, HEADER_LENGTH);
        assertTiles(HOLDER_FIELDS, HOLDER_LENGTH);
        Map<String, Integer> header = Map.of("magic", MAGIC_OFFSET, "version", VERSION_OFFSET, "block_bytes",
                BLOCK_BYTES_OFFSET, "block_count", BLOCK_COUNT_OFFSET, "creator_pid", CREATOR_PID_OFFSET,
                "creator_start_time", CREATOR_START_TIME_OFFSET, "blocks_offset", BLOCKS_OFFSET_OFFSET,
                "data_offset", DATA_OFFSET_OFFSET);
        Map<String, Integer> holder = Map.of("pid", HOLDER_PID, "pending_stream", HOLDER_PENDING_STREAM, "start_time",
                HOLDER_START_TIME, "pending_position", HOLDER_PENDING_POSITION, "pending_block", HOLDER_PENDING_BLOCK,
                "allocated", HOLDER_ALLOCATED, "freed", HOLDER_FREED, "forwarded", HOLDER_FORWARDED, "revoked",
                HOLDER_REVOKED);
        header.forEach((n, o) -> assertEquals(o, offsetOf(HEADER_FIELDS, n), n));
        holder.forEach((n, o) -> assertEquals(o, offsetOf(HOLDER_FIELDS, n), n));
        long w = withHolder(word(0xFFFF, 0, MAX_REFS, REVOKED), 15, PUBLISHING);
        assertEquals(0xFFFF, generation(w));
        assertEquals(MAX_REFS, refs(w));
        assertEquals(REVOKED, code(w));
        assertEquals(PUBLISHING, holderBits(w, 15));
        assertEquals(0, holderBits(w, 14));
    }

    private static void assertTiles(List<LayoutField> fields, int length) {
        int at = 0;
        for (LayoutField f : fields) {
            assertEquals(at, f.offset(), f.name());
            assertEquals(0, f.offset() % Math.min(f.size(), 8), f.name() + " is aligned");
            at = f.end();
        }
        assertEquals(length, at);
    }

    private static int offsetOf(List<LayoutField> fields, String name) {
        return fields.stream().filter(f -> f.name().equals(name)).findFirst().orElseThrow().offset();
    }
}
