package io.dsipanama.stream.synthetic;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.*;

class PayloadTest {
    @Test
    void everyByteIsCheckedAtEverySizeIncludingBodiesThatWrapThePattern() {
        int[] sizes = {0, 1, 7, 15, 16, 17, 23, 24, 4096, 65_537, Payload.REFERENCE_BYTES + 16, 3 * Payload.REFERENCE_BYTES + 5};
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(3 * Payload.REFERENCE_BYTES + 128);
            for (int size : sizes) {
                for (long seq : new long[]{0, 1, 255, 1_000_003}) {
                    Payload.fill(buffer, 64, size, seq, seq * 3);
                    assertTrue(Payload.verify(buffer, 64, size, seq * 3), "size " + size + " seq " + seq);
                    assertEquals(size < Payload.HEADER ? -1 : seq, Payload.sequence(buffer, 64, size));
                    for (long at : new long[]{0, size / 2, size - 1}) {
                        if (size == 0) {
                            continue;
                        }
                        byte b = buffer.get(JAVA_BYTE, 64 + at);
                        buffer.set(JAVA_BYTE, 64 + at, (byte) (b ^ 0x10));
                        assertFalse(Payload.verify(buffer, 64, size, seq * 3), "flipped byte " + at + " of " + size);
                        buffer.set(JAVA_BYTE, 64 + at, b);
                    }
                }
            }
        }
    }

    @Test
    void consecutivePacketsDiffer() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment a = arena.allocate(4096);
            MemorySegment b = arena.allocate(4096);
            Payload.fill(a, 0, 4096, 1, 0);
            Payload.fill(b, 0, 4096, 2, 0);
            b.set(java.lang.foreign.ValueLayout.JAVA_LONG, 0, 1L); // same sequence header, body of another packet
            assertFalse(Payload.verify(b, 0, 4096, 0));
        }
    }
}
