package io.dsipanama.bench.handoff;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import org.junit.jupiter.api.Test;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class PayloadTest {
    @Test
    void verifyFindsEveryKindOfDamage() {
        try (Payload payload = new Payload(1000); Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(2000);
            payload.write(buffer, 3, 1000, 42, 7);
            assertEquals(-1, payload.verify(buffer, 3, 1000, 42));
            assertEquals(42, Payload.seq(buffer, 3));
            assertEquals(7, Payload.sentNs(buffer, 3));
            assertEquals(Payload.SEQ_OFFSET, payload.verify(buffer, 3, 1000, 43), "another packet's number");
            for (long at : new long[] {Payload.HEADER_LENGTH, 500, 999}) {
                buffer.set(JAVA_BYTE, 3 + at, (byte) ~buffer.get(JAVA_BYTE, 3 + at));
                assertEquals(at, payload.verify(buffer, 3, 1000, 42), "flipped byte at " + at);
                buffer.set(JAVA_BYTE, 3 + at, (byte) ~buffer.get(JAVA_BYTE, 3 + at));
            }
            assertEquals(0, payload.verify(buffer, 3, 1001, 42), "longer than the largest packet");
        }
    }

    @Test
    void consecutivePacketsDifferAndOneWritesTheSameEverywhere() {
        try (Payload a = new Payload(64); Payload b = new Payload(64); Arena arena = Arena.ofConfined()) {
            MemorySegment one = arena.allocate(64);
            MemorySegment two = arena.allocate(64);
            a.write(one, 0, 64, 5, 0);
            b.write(two, 0, 64, 5, 0);
            assertEquals(-1, one.mismatch(two), "the pattern is the same in every process");
            a.write(two, 0, 64, 6, 0);
            Payload.writeHeader(two, 0, 5, 0);
            assertNotEquals(-1, a.verify(two, 0, 64, 5), "packet 6's body must not pass for packet 5's");
        }
    }

    @Test
    void touchReadsTheLastCacheLine() {
        try (Payload payload = new Payload(200); Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(200);
            payload.write(buffer, 0, 200, 1, 0);
            long before = Payload.touch(buffer, 0, 200);
            buffer.set(JAVA_BYTE, 199, (byte) (buffer.get(JAVA_BYTE, 199) + 1));
            assertNotEquals(before, Payload.touch(buffer, 0, 200));
            assertThrows(IllegalArgumentException.class, () -> payload.write(buffer, 0, 201, 1, 0));
            assertThrows(IllegalArgumentException.class, () -> payload.write(buffer, 0, 15, 1, 0));
        }
    }
}
