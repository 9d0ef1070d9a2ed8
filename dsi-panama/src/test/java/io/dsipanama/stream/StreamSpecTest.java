package io.dsipanama.stream;

import io.dsipanama.ffm.Unistd;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StreamSpecTest {
    private static final long PAGE = Unistd.pageSize();

    @Test
    void builderDefaultsAndDerivedDataArea() {
        StreamSpec s = StreamSpec.builder().descriptorCount(8).maxPacketBytes(1000).build();
        assertEquals(8, s.descriptorCount());
        assertEquals(PAGE * 2, s.dataBytes()); // 8000 bytes rounded up to pages
        assertEquals(StreamSpec.EPOCH_AT_CREATION, s.epochNs());
        assertEquals(OverflowPolicy.DROP_OLDEST, s.policy());
        assertEquals(s, StreamSpec.builder().descriptorCount(8).maxPacketBytes(1000).conclude());
    }

    @Test
    void invalidValuesAreRefusedWithTheRule() {
        assertMessage("power of two", () -> StreamSpec.builder().descriptorCount(6).build());
        assertMessage("power of two", () -> StreamSpec.builder().descriptorCount(1).build());
        assertMessage("page size", () -> StreamSpec.builder().dataBytes(PAGE + 1).build());
        assertMessage("page size", () -> StreamSpec.builder().dataBytes(0).build());
        assertMessage("maxPacketBytes", () -> StreamSpec.builder().dataBytes(PAGE).maxPacketBytes((int) PAGE + 1).build());
        assertMessage("maxPacketBytes", () -> StreamSpec.builder().maxPacketBytes(0).build());
        assertMessage("validityTicks", () -> StreamSpec.builder().validityTicks(0).build());
        assertMessage("nsPerTick", () -> StreamSpec.builder().nsPerTick(0).build());
        assertMessage("epochNs", () -> StreamSpec.builder().epochNs(-5).build());
        assertThrows(NullPointerException.class, () -> StreamSpec.builder().policy(null).build());
    }

    @Test
    void virtualTimeMapsToMonotonicAndBack() {
        StreamSpec s = StreamSpec.builder().epochNs(1_000_000_000L).nsPerTick(20_000_000L).build();
        assertEquals(1_000_000_000L + 5 * 20_000_000L, s.toMonotonicNs(5));
        assertEquals(5, s.toVirtualTime(s.toMonotonicNs(5) + 19_999_999));
        assertEquals(-1, s.toVirtualTime(999_999_999L));
        assertEquals(Long.MAX_VALUE, s.toMonotonicNs(Long.MAX_VALUE));
        assertEquals(1_000_000_000L, s.withEpoch(7_000).epochNs());
        assertEquals(7_000, StreamSpec.builder().build().withEpoch(7_000).epochNs());
    }

    private static void assertMessage(String fragment, org.junit.jupiter.api.function.Executable e) {
        IllegalArgumentException x = assertThrows(IllegalArgumentException.class, e);
        assertTrue(x.getMessage().contains(fragment), x.getMessage());
    }
}
