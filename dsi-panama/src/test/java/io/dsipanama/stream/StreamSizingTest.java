package io.dsipanama.stream;

import io.dsipanama.ffm.Unistd;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class StreamSizingTest {
    private static final long PAGE = Unistd.pageSize();

    @Test
    void noJitterNoLatencyNeedsOnePacketInFlightPlusSlack() {
        StreamSizing s = StreamSizing.forPeriodicStream(1_000_000, 0, 100, 0);
        assertEquals(1, s.inFlight());
        assertEquals(4, s.descriptorCount()); // 1 + 2 slack = 3, rounded to 4
        assertEquals(PAGE, s.dataBytes());
    }

    @Test
    void videoAt25HzWithJitterAndLatency() {
        // 40 ms period, 10 ms jitter, 75 ms consumer latency: ceil(85 / 40) + 1 = 4 in flight, +2 = 6 -> 8
        StreamSizing s = StreamSizing.forPeriodicStream(40_000_000, 10_000_000, 600_000, 75_000_000);
        assertEquals(4, s.inFlight());
        assertEquals(8, s.descriptorCount());
        assertEquals(StreamHeaderDescriptor.roundUp(9L * 600_000, PAGE), s.dataBytes()); // 8 + 1 for the wrap gap
        assertEquals(0, s.dataBytes() % PAGE);
    }

    @Test
    void exactMultipleOfThePeriodDoesNotRoundUp() {
        // window 2 ms = exactly 2 periods: 2 + 1 = 3 in flight, +2 = 5 -> 8
        StreamSizing s = StreamSizing.forPeriodicStream(1_000_000, 500_000, 4096, 1_500_000);
        assertEquals(3, s.inFlight());
        assertEquals(8, s.descriptorCount());
        assertEquals(9 * 4096, s.dataBytes());
        // one ns more: ceil -> 3 + 1 = 4 in flight, +2 = 6 -> 8 still
        assertEquals(4, StreamSizing.forPeriodicStream(1_000_000, 500_001, 4096, 1_500_000).inFlight());
        // power-of-two boundary: 6 in flight + 2 = 8 stays 8; 7 + 2 = 9 goes to 16
        assertEquals(8, StreamSizing.forPeriodicStream(1_000_000, 0, 64, 5_000_000).descriptorCount());
        assertEquals(16, StreamSizing.forPeriodicStream(1_000_000, 0, 64, 6_000_000).descriptorCount());
    }

    @Test
    void resultFeedsTheBuilder() {
        StreamSizing sizing = StreamSizing.forPeriodicStream(10_000_000, 1_000_000, 1500, 20_000_000);
        StreamSpec spec = StreamSpec.builder().sizing(sizing).build();
        assertEquals(sizing.descriptorCount(), spec.descriptorCount());
        assertEquals(sizing.dataBytes(), spec.dataBytes());
        assertEquals(1500, spec.maxPacketBytes());
    }

    @Test
    void badInputsAndOversizedStreamsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> StreamSizing.forPeriodicStream(0, 0, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> StreamSizing.forPeriodicStream(1, -1, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> StreamSizing.forPeriodicStream(1, 0, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> StreamSizing.forPeriodicStream(1, 0, 1, 10_000_000));
    }
}
