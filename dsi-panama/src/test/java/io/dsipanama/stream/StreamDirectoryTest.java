package io.dsipanama.stream;

import io.dsipanama.ffm.Fcntl;
import io.dsipanama.ffm.support.ProcessIdentity;
import io.dsipanama.ffm.Unistd;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static io.dsipanama.stream.StreamHeaderDescriptor.*;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.*;

@Timeout(60)
class StreamDirectoryTest {
    private static final long PAGE = Unistd.pageSize();
    private TestRoot root;

    @BeforeEach
    void setUp() {
        root = new TestRoot();
    }

    @AfterEach
    void tearDown() throws IOException {
        root.close();
    }

    private static StreamSpec spec() {
        return StreamSpec.builder().descriptorCount(16).maxPacketBytes(1024).validityTicks(50).nsPerTick(1_000_000)
                .policy(OverflowPolicy.BLOCK).mode(StreamMode.REAL_TIME).build();
    }

    private Path created(String name) {
        root.dir.create(name, spec()).close();
        return root.dir.pathOf(name);
    }

    @Test
    void createOpenListRemoveRoundTrip() throws IOException {
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(root.path)));
        long before = io.dsipanama.ffm.Time.monotonicNs();
        try (StreamMapping p = root.dir.create("cam.0", spec())) {
            StreamHeader h = p.header();
            assertEquals(MAGIC, h.magic());
            assertEquals(VERSION, h.acquireVersion());
            assertEquals(LENGTH, h.controlOffset());
            assertEquals(PAGE, h.controlLength()); // 16 * 64 bytes, rounded up to a page
            assertEquals(LENGTH + PAGE, h.dataOffset());
            assertEquals(4 * PAGE, h.dataLength()); // 16 * 1024 bytes
            assertTrue(h.epochNs() >= before, "epoch fixed at creation");
            assertEquals(ProcessIdentity.self(), h.creator());
            assertEquals(h.dataOffset() + h.dataLength(), Files.size(p.path()));
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(p.path())));
            assertFalse(p.dataSegment().isReadOnly());

            try (StreamMapping c = root.dir.open("cam.0", StreamRole.CONSUMER)) {
                assertEquals(p.spec(), c.spec());
                assertEquals(p.layout(), c.layout());
                p.dataSegment().set(JAVA_LONG, 8, 0x1234L);
                assertEquals(0x1234L, c.dataSegment().get(JAVA_LONG, 8), "same file, shared mapping");
                c.header().releaseConsumer(ProcessIdentity.self());
            }
            assertThrows(StreamAccessException.class, () -> root.dir.create("cam.0", spec()));
            List<StreamInfo> list = root.dir.list();
            assertEquals(1, list.size());
            StreamInfo info = list.getFirst();
            assertEquals("cam.0", info.name());
            assertEquals("1.2", info.version());
            assertNull(info.problem());
            assertTrue(info.creatorAlive());
            assertTrue(info.consumerAlive());
            assertFalse(info.producerAlive());
            assertEquals(p.spec(), info.spec());
            assertTrue(root.dir.findStale().isEmpty());
        }
        assertTrue(root.dir.remove("cam.0"));
        assertFalse(root.dir.remove("cam.0"));
        assertTrue(root.dir.list().isEmpty());
        assertAccess(StreamAccessException.Reason.NOT_FOUND, "no stream", () -> root.dir.open("cam.0", StreamRole.CONSUMER));
    }

    @Test
    void createTwiceIsRefusedAndKeepsTheFirst() {
        Path path = created("s");
        Map<String, Long> before = root.snapshot();
        assertAccess(StreamAccessException.Reason.ALREADY_EXISTS, "already exists", () -> root.dir.create("s", spec()));
        assertEquals(before, root.snapshot());
        assertTrue(Files.exists(path));
    }

    @Test
    void badNamesAreRefusedAndChangeNothing() {
        created("victim");
        Map<String, Long> before = root.snapshot();
        for (String bad : new String[]{"../x", "a/b", "", ".hidden", "x".repeat(300), "a..b", "sp ace", "..", "/abs", "é"}) {
            assertAccess(StreamAccessException.Reason.BAD_NAME, "stream name", () -> root.dir.create(bad, spec()));
            assertAccess(StreamAccessException.Reason.BAD_NAME, "stream name", () -> root.dir.open(bad, StreamRole.CONSUMER));
            assertAccess(StreamAccessException.Reason.BAD_NAME, "stream name", () -> root.dir.remove(bad));
        }
        assertAccess(StreamAccessException.Reason.BAD_NAME, "is 300 characters", () -> root.dir.create("x".repeat(300), spec()));
        assertAccess(StreamAccessException.Reason.BAD_NAME, "contains '/'", () -> root.dir.create("a/b", spec()));
        assertEquals(before, root.snapshot());
        StreamDirectory.validateName("x".repeat(200));
        StreamDirectory.validateName("A-z_0.9");
    }

    @Test
    void aFileOfOtherBytesIsNotAStream() throws IOException {
        Path file = root.path.resolve("junk");
        byte[] bytes = new byte[(int) (3 * PAGE)];
        new Random(1).nextBytes(bytes);
        bytes[VERSION_OFFSET] = 1; // never "not yet published"
        Files.write(file, bytes);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        Map<String, Long> before = root.snapshot();
        assertFormat(StreamFormatException.Reason.NOT_A_STREAM, "not a stream: magic", () -> root.dir.open("junk", StreamRole.CONSUMER));
        List<StreamInfo> list = root.dir.list();
        assertEquals(1, list.size());
        assertTrue(list.getFirst().problem().contains("not a stream"));
        assertFalse(list.getFirst().stale());
        assertEquals(before, root.snapshot());
    }

    @Test
    void anotherMajorVersionIsRefusedNamingBoth() throws IOException {
        Path file = created("v");
        TestRoot.putInt(file, VERSION_OFFSET, 2 << 16 | 3);
        assertFormat(StreamFormatException.Reason.OTHER_VERSION, "layout version 2.3, this code reads 1.2",
                () -> root.dir.open("v", StreamRole.CONSUMER));
    }

    @Test
    void truncatedFilesAreRefusedWithBothSizes() throws IOException {
        Path file = created("t");
        long full = Files.size(file);
        TestRoot.truncate(file, full - PAGE);
        assertFormat(StreamFormatException.Reason.SHORT_FILE, "file is " + (full - PAGE) + " bytes, its header needs " + full,
                () -> root.dir.open("t", StreamRole.CONSUMER));
        TestRoot.truncate(file, 100);
        assertFormat(StreamFormatException.Reason.SHORT_FILE, "file is 100 bytes",
                () -> root.dir.open("t", StreamRole.PRODUCER));
    }

    @Test
    void inconsistentLengthsAreRefusedBeforeAnySlice() throws IOException {
        Path file = created("c");
        long dataOffset = LENGTH + PAGE;
        corrupt(file, DATA_LENGTH_OFFSET, Long.MAX_VALUE, 8, "data_length");
        corrupt(file, DATA_LENGTH_OFFSET, -PAGE, 8, "data_length");
        corrupt(file, CONTROL_LENGTH_OFFSET, -1, 8, "control_length");
        corrupt(file, CONTROL_OFFSET_OFFSET, Long.MIN_VALUE, 8, "control_offset");
        corrupt(file, DATA_OFFSET_OFFSET, LENGTH, 8, "must follow the control area"); // overlaps control
        corrupt(file, DATA_OFFSET_OFFSET, dataOffset + PAGE, 8, "must follow the control area"); // gap
        corrupt(file, DESCRIPTOR_COUNT_OFFSET, 12, 4, "not a power of two");
        corrupt(file, DESCRIPTOR_COUNT_OFFSET, Integer.MIN_VALUE, 4, "not a power of two");
        corrupt(file, HEADER_LENGTH_OFFSET, -4096, 4, "header_length");
        corrupt(file, MAX_PACKET_OFFSET, Integer.MAX_VALUE, 4, "max_packet");
        corrupt(file, POLICY_OFFSET, 99, 4, "policy 99");
        corrupt(file, MODE_OFFSET, -1, 4, "mode -1");
        corrupt(file, FLAGS_OFFSET, 0x80, 4, "unknown bits");
        corrupt(file, NS_PER_TICK_OFFSET, 0, 8, "nsPerTick");
        // the file grew behind the header's back
        long full = Files.size(file);
        TestRoot.truncate(file, full); // no-op guard
        try (var ch = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.allocate(1), full + PAGE - 1);
        }
        assertFormat(StreamFormatException.Reason.INCONSISTENT_LAYOUT, "header accounts for " + full,
                () -> root.dir.open("c", StreamRole.CONSUMER));
    }

    @Test
    void randomHeadersNeverCrashAndAlwaysExplain() throws IOException {
        Path file = created("r");
        byte[] good = Files.readAllBytes(file);
        Random random = new Random(42);
        for (int i = 0; i < 300; i++) {
            byte[] bytes = good.clone();
            // scramble 1..8 words of the identity (magic and version kept, so the layout checks are reached)
            for (int k = 1 + random.nextInt(8); k > 0; k--) {
                int offset = 16 + 4 * random.nextInt((128 - 16) / 4);
                for (int b = 0; b < 4; b++) {
                    bytes[offset + b] = (byte) random.nextInt();
                }
            }
            Files.write(file, bytes);
            try (StreamMapping m = root.dir.open("r", StreamRole.CONSUMER, Duration.ZERO)) {
                assertTrue(m.layout().dataOffset() + m.layout().dataLength() <= Files.size(file));
            } catch (StreamFormatException expected) {
                assertNotNull(expected.getMessage());
                assertTrue(expected.getMessage().startsWith("stream 'r'"), expected.getMessage());
            }
        }
    }

    @Test
    void anotherOwnersStreamIsRefused() throws IOException {
        Path file = created("o");
        int fd = Fcntl.open(file.toString(), Fcntl.O_RDWR, 0);
        try {
            Unistd.fchown(fd, 65534, -1);
        } finally {
            Unistd.close(fd);
        }
        assertAccess(StreamAccessException.Reason.WRONG_OWNER, "owned by uid 65534, we run as uid " + Unistd.getuid(),
                () -> root.dir.open("o", StreamRole.CONSUMER));
    }

    @Test
    void aStreamOthersCanReadIsRefused() throws IOException {
        Path file = created("m");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        assertAccess(StreamAccessException.Reason.WRONG_MODE, "mode 0644", () -> root.dir.open("m", StreamRole.CONSUMER));
    }

    @Test
    void anUnpublishedStreamIsWaitedForThenRefused() throws IOException {
        Path file = created("z");
        TestRoot.putInt(file, VERSION_OFFSET, 0);
        long start = System.nanoTime();
        assertFormat(StreamFormatException.Reason.NOT_PUBLISHED, "version still 0 after 200 ms",
                () -> root.dir.open("z", StreamRole.CONSUMER, Duration.ofMillis(200)));
        assertTrue(System.nanoTime() - start >= 200_000_000L, "it waited");
        // an empty file (creator between O_EXCL and ftruncate) is waited for too
        TestRoot.truncate(file, 0);
        assertFormat(StreamFormatException.Reason.NOT_PUBLISHED, "file still empty",
                () -> root.dir.open("z", StreamRole.CONSUMER, Duration.ofMillis(50)));
    }

    @Test
    void anUnpublishedStreamOpensOnceTheVersionIsStored() throws Exception {
        Path file = created("late");
        TestRoot.putInt(file, VERSION_OFFSET, 0);
        Thread publisher = Thread.ofPlatform().start(() -> {
            try {
                // the opener polls with a deadline; a short pause here only makes it poll at least once
                Thread.sleep(100);
                TestRoot.putInt(file, VERSION_OFFSET, VERSION);
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        try (StreamMapping m = root.dir.open("late", StreamRole.CONSUMER, Duration.ofSeconds(10))) {
            assertEquals(VERSION, m.header().acquireVersion());
        }
        publisher.join();
    }

    @Test
    void consumerDataAreaIsReadOnlyInJavaAndForTheKernel() throws IOException {
        created("ro");
        try (StreamMapping c = root.dir.open("ro", StreamRole.CONSUMER)) {
            assertTrue(c.dataSegment().isReadOnly());
            assertThrows(IllegalArgumentException.class, () -> c.dataSegment().set(JAVA_LONG, 0, 1L));
            assertEquals("r--s", permissionsOf(c.dataSegment().address()), "PROT_READ, MAP_SHARED");
            assertEquals("rw-s", permissionsOf(c.controlSegment().address()));
            c.controlSegment().set(JAVA_LONG, 0, 7L); // header and control stay writable
        }
        try (StreamMapping o = root.dir.open("ro", StreamRole.OBSERVER)) {
            assertTrue(o.headerSegment().isReadOnly());
            assertTrue(o.dataSegment().isReadOnly());
        }
    }

    @Test
    void closeIsIdempotentAndUnmaps() throws IOException {
        StreamMapping m = root.dir.create("x", spec());
        long address = m.dataSegment().address();
        m.close();
        m.close();
        assertNull(permissionsOf(address), "unmapped");
        assertThrows(IllegalStateException.class, () -> m.dataSegment().get(JAVA_LONG, 0));
    }

    private void corrupt(Path file, int offset, long value, int size, String expected) throws IOException {
        byte[] saved = Files.readAllBytes(file);
        if (size == 8) {
            TestRoot.putLong(file, offset, value);
        } else {
            TestRoot.putInt(file, offset, (int) value);
        }
        Map<String, Long> before = root.snapshot();
        assertFormat(StreamFormatException.Reason.INCONSISTENT_LAYOUT, expected,
                () -> root.dir.open(file.getFileName().toString(), StreamRole.CONSUMER));
        assertEquals(before, root.snapshot());
        Files.write(file, saved);
    }

    /** The permission column of /proc/self/maps for the mapping containing {@code address}, or null. */
    static String permissionsOf(long address) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
            String[] f = line.split(" ");
            String[] range = f[0].split("-");
            long lo = Long.parseUnsignedLong(range[0], 16);
            long hi = Long.parseUnsignedLong(range[1], 16);
            if (address >= lo && address < hi) {
                return f[1];
            }
        }
        return null;
    }

    static void assertAccess(StreamAccessException.Reason reason, String fragment, Executable e) {
        StreamAccessException x = assertThrows(StreamAccessException.class, e);
        assertEquals(reason, x.reason(), x.getMessage());
        assertTrue(x.getMessage().contains(fragment), x.getMessage());
    }

    static void assertFormat(StreamFormatException.Reason reason, String fragment, Executable e) {
        StreamFormatException x = assertThrows(StreamFormatException.class, e);
        assertEquals(reason, x.reason(), x.getMessage());
        assertTrue(x.getMessage().contains(fragment), x.getMessage());
    }
}
