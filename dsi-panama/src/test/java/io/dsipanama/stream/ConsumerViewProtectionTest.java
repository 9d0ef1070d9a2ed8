package io.dsipanama.stream;

import io.dsipanama.ffm.Errno;
import io.dsipanama.ffm.ErrnoException;
import io.dsipanama.ffm.Fcntl;
import io.dsipanama.ffm.Unistd;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The consumer's view of the data area is read-only for the OS, not only for Java: its mapping is
 * {@code r--s} in /proc/self/maps, and the kernel itself refuses to write into it (read(2) into a packet
 * fails with EFAULT and leaves the bytes alone), also while the range is registered with userfaultfd.
 */
@Timeout(30)
class ConsumerViewProtectionTest {
    private final TestRoot root = new TestRoot();

    @AfterEach
    void cleanUp() throws Exception {
        root.close();
    }

    @Test
    void theKernelRefusesToWriteIntoTheConsumersView() throws Exception {
        try (StreamProducer p = StreamProducer.create(root.dir, "v", StreamSpec.builder().descriptorCount(8)
                .maxPacketBytes(4096).build());
             StreamConsumer c = StreamConsumer.open(root.dir, "v")) {
            Claim claim = p.tryClaim(256);
            claim.buffer().asSlice(claim.offset(), 256).fill((byte) 7);
            claim.commit(1);
            Packet k = c.poll();
            long address = k.buffer().address() + k.offset();
            assertTrue(k.buffer().isReadOnly());
            assertThrows(IllegalArgumentException.class, () -> k.buffer().set(JAVA_BYTE, k.offset(), (byte) 1));

            String mapping = Files.readAllLines(Path.of("/proc/self/maps")).stream().filter(line -> {
                String[] range = line.substring(0, line.indexOf(' ')).split("-");
                return Long.parseUnsignedLong(range[0], 16) <= address && address < Long.parseUnsignedLong(range[1], 16);
            }).findFirst().orElseThrow();
            assertEquals("r--s", mapping.split(" +")[1], mapping);

            int zero = Fcntl.open("/dev/zero", Fcntl.O_RDONLY | Fcntl.O_CLOEXEC, 0);
            try {
                ErrnoException e = assertThrows(ErrnoException.class,
                        () -> Unistd.read(zero, MemorySegment.ofAddress(address), 256));
                assertEquals(Errno.EFAULT, e.errno(), e.getMessage());
            } finally {
                Unistd.close(zero);
            }
            for (byte b : k.segment().toArray(JAVA_BYTE)) {
                assertEquals(7, b);
            }
            assertTrue(k.release());
        }
    }
}
