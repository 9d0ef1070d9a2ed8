package io.dsipanama.netio;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.reflect.Field;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The wire header's table against its constants, the flyweight against java.nio, counter and reason ids. */
class DescriptorTest {
    @Test
    void headerFieldsTileTheHeaderAndMatchTheConstants() throws Exception {
        int end = 0;
        for (FrameHeaderDescriptor.Field f : FrameHeaderDescriptor.FIELDS) {
            assertEquals(end, f.offset(), "no gap or overlap before " + f.name());
            end += f.size();
            String constant = f.name().toUpperCase(Locale.ROOT) + "_OFFSET";
            Field c = FrameHeaderDescriptor.class.getField(constant);
            assertEquals(f.offset(), c.getInt(null), constant);
            assertEquals(0, f.offset() % f.size(), f.name() + " is naturally aligned");
        }
        assertEquals(FrameHeaderDescriptor.LENGTH, end);
    }

    @Test
    void flyweightReadsWhatJavaNioWrote() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = arena.allocate(FrameHeaderDescriptor.LENGTH + 3);
            seg.asSlice(3).copyFrom(MemorySegment.ofBuffer(
                    NetTestSupport.datagram(0xCAFE, 1L << 40, 6, 5000, 1424, 2848, 0, 77)));
            FrameHeader h = new FrameHeader().wrap(seg, 3);
            assertEquals(FrameHeaderDescriptor.MAGIC, h.magic());
            assertEquals(1, h.version());
            assertEquals(48, h.headerLength());
            assertEquals(0xCAFE, h.streamId());
            assertEquals(1L << 40, h.sequence());
            assertEquals(40L << 40, h.virtualTime());
            assertEquals(6, h.priority());
            assertEquals(5000, h.frameLength());
            assertEquals(1424, h.fragmentStride());
            assertEquals(2848, h.fragmentOffset());
            assertEquals(20_000, h.periodUs());
            assertEquals(77, h.deadlineUs());

            MemorySegment copy = arena.allocate(FrameHeaderDescriptor.LENGTH);
            new FrameHeader().wrap(copy, 0).copyFrom(h);
            assertEquals(-1, copy.mismatch(seg.asSlice(3, FrameHeaderDescriptor.LENGTH)));
        }
    }

    @Test
    void counterIdsAreStableDenseAndFit() {
        Set<String> labels = new HashSet<>();
        NetCounter[] all = NetCounter.values();
        for (int i = 0; i < all.length; i++) {
            assertEquals(i, all[i].id(), all[i] + " keeps its id");
            assertTrue(labels.add(all[i].label()));
            assertEquals(all[i].name().toLowerCase(Locale.ROOT), all[i].label());
        }
        assertTrue(all.length <= NetCountersDescriptor.CAPACITY);
        Set<Integer> reasons = new HashSet<>();
        for (LossReason r : LossReason.values()) {
            assertTrue(reasons.add(r.id()));
            assertTrue(r.counter().label().startsWith("lost_"));
        }
    }

    @Test
    void sendSlotLayoutFits() {
        assertTrue(io.dsipanama.ffm.Socket.MSGHDR.byteSize() <= SendSlotsDescriptor.CMSG_OFFSET);
        assertTrue(SendSlotsDescriptor.CMSG_OFFSET + SendSlotsDescriptor.CMSG_SPACE <= SendSlotsDescriptor.IOV_OFFSET);
        assertEquals(0, SendSlotsDescriptor.SLOT_LENGTH % 64);
    }
}
