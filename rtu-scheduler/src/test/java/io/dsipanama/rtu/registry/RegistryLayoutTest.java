package io.dsipanama.rtu.registry;

import io.dsipanama.ffm.support.LayoutField;
import io.dsipanama.rtu.admission.Placement;
import io.dsipanama.rtu.admission.Policy;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** STYLE rules 7 and 8 for the registry file: tables tile and match; a bad file is refused before use. */
class RegistryLayoutTest {
    private final Path path = TestRegistries.freshPath();

    @AfterEach
    void removeFiles() {
        TestRegistries.delete(path);
    }

    @Test
    void headerTableTilesOnePageAndMatchesConstantsAndJavadoc() throws IOException {
        List<LayoutField> f = RegistryHeaderDescriptor.FIELDS;
        assertTiles(f, RegistryHeaderDescriptor.LENGTH);
        Map<String, Integer> constants = Map.ofEntries(
                Map.entry("magic", RegistryHeaderDescriptor.MAGIC_OFFSET),
                Map.entry("version", RegistryHeaderDescriptor.VERSION_OFFSET),
                Map.entry("header_length", RegistryHeaderDescriptor.HEADER_LENGTH_OFFSET),
                Map.entry("entry_length", RegistryHeaderDescriptor.ENTRY_LENGTH_OFFSET),
                Map.entry("capacity", RegistryHeaderDescriptor.CAPACITY_OFFSET),
                Map.entry("cpus", RegistryHeaderDescriptor.CPUS_OFFSET),
                Map.entry("policy", RegistryHeaderDescriptor.POLICY_OFFSET),
                Map.entry("placement", RegistryHeaderDescriptor.PLACEMENT_OFFSET),
                Map.entry("fifo_priority_top", RegistryHeaderDescriptor.FIFO_PRIORITY_TOP_OFFSET),
                Map.entry("fifo_priority_bottom", RegistryHeaderDescriptor.FIFO_PRIORITY_BOTTOM_OFFSET),
                Map.entry("creator_pid", RegistryHeaderDescriptor.CREATOR_PID_OFFSET),
                Map.entry("creator_start_time", RegistryHeaderDescriptor.CREATOR_START_TIME_OFFSET),
                Map.entry("generation", RegistryHeaderDescriptor.GENERATION_OFFSET),
                Map.entry("admission_seq", RegistryHeaderDescriptor.ADMISSION_SEQ_OFFSET));
        for (RegistryCounter c : RegistryCounter.values()) {
            assertEquals(c.offset(), field(f, c.label()).offset(), c.label());
        }
        assertConstants(f, constants, RegistryCounter.values().length);
        assertJavadocTable(RegistryHeaderDescriptor.class, f);
    }

    @Test
    void entryTableTilesFourCacheLinesAndKeepsChargersOffTheOwnersCounters() throws IOException {
        List<LayoutField> f = ReserveEntryDescriptor.FIELDS;
        assertEquals(256, ReserveEntryDescriptor.LENGTH);
        assertTiles(f, ReserveEntryDescriptor.LENGTH);
        assertConstants(f, Map.ofEntries(
                Map.entry("state", ReserveEntryDescriptor.STATE_OFFSET),
                Map.entry("slot_generation", ReserveEntryDescriptor.SLOT_GENERATION_OFFSET),
                Map.entry("owner_pid", ReserveEntryDescriptor.OWNER_PID_OFFSET),
                Map.entry("cpu", ReserveEntryDescriptor.CPU_OFFSET),
                Map.entry("owner_start_time", ReserveEntryDescriptor.OWNER_START_TIME_OFFSET),
                Map.entry("budget_ns", ReserveEntryDescriptor.BUDGET_NS_OFFSET),
                Map.entry("period_ns", ReserveEntryDescriptor.PERIOD_NS_OFFSET),
                Map.entry("deadline_ns", ReserveEntryDescriptor.DEADLINE_NS_OFFSET),
                Map.entry("admission_seq", ReserveEntryDescriptor.ADMISSION_SEQ_OFFSET),
                Map.entry("priority", ReserveEntryDescriptor.PRIORITY_OFFSET),
                Map.entry("flags", ReserveEntryDescriptor.FLAGS_OFFSET),
                Map.entry("name", ReserveEntryDescriptor.NAME_OFFSET),
                Map.entry("charge_pending_ns", ReserveEntryDescriptor.CHARGE_PENDING_NS_OFFSET),
                Map.entry("charge_total_ns", ReserveEntryDescriptor.CHARGE_TOTAL_NS_OFFSET),
                Map.entry("charge_count", ReserveEntryDescriptor.CHARGE_COUNT_OFFSET),
                Map.entry("metrics_slot", ReserveEntryDescriptor.METRICS_SLOT_OFFSET),
                Map.entry("counters", ReserveEntryDescriptor.COUNTERS_OFFSET)), 0);
        assertEquals(ReserveEntryDescriptor.NAME_LENGTH, field(f, "name").size());
        assertEquals(ReserveEntryDescriptor.COUNTERS_CAPACITY * 8, field(f, "counters").size());
        assertTrue(ReserveEntryDescriptor.CHARGE_PENDING_NS_OFFSET / 64 != ReserveEntryDescriptor.COUNTERS_OFFSET / 64);
        assertJavadocTable(ReserveEntryDescriptor.class, f);
    }

    @Test
    void countersHaveStableUniqueIdsThatFit() {
        Set<Integer> ids = new HashSet<>();
        for (ReserveCounter c : ReserveCounter.values()) {
            assertTrue(ids.add(c.id()) && c.id() < ReserveEntryDescriptor.COUNTERS_CAPACITY, c.toString());
            assertTrue(c.label().matches("[a-z_]+"), c.label());
        }
        ids.clear();
        for (RegistryCounter c : RegistryCounter.values()) {
            assertTrue(ids.add(c.id()) && c.id() < RegistryHeaderDescriptor.COUNTERS_CAPACITY, c.toString());
        }
        // pinned: changing one would make old readers misread new files
        assertEquals(0, ReserveCounter.RELEASES.id());
        assertEquals(7, ReserveCounter.CPU_USED_NS.id());
        assertEquals(5, RegistryCounter.RECLAIMED.id());
    }

    @Test
    void theFileIsCreatedPublishedAndPrivate() throws IOException {
        try (ReserveRegistry r = ReserveRegistry.open(path, RegistryConfig.defaults(Policy.EDF).withCapacity(8))) {
            assertEquals(8, r.config().capacity());
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(path)));
            assertEquals(RegistryHeaderDescriptor.fileLength(8), Files.size(path));
            try (Arena arena = Arena.ofConfined(); FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
                MemorySegment m = ch.map(FileChannel.MapMode.READ_ONLY, 0, RegistryHeaderDescriptor.LENGTH, arena);
                assertEquals(RegistryHeaderDescriptor.MAGIC, m.get(JAVA_LONG, RegistryHeaderDescriptor.MAGIC_OFFSET));
                assertEquals(RegistryHeaderDescriptor.VERSION, m.get(JAVA_INT, RegistryHeaderDescriptor.VERSION_OFFSET));
                assertEquals((int) ProcessHandle.current().pid(), m.get(JAVA_INT, RegistryHeaderDescriptor.CREATOR_PID_OFFSET));
            }
            try (var files = Files.list(path.getParent())) {
                assertEquals(List.of(path), files.toList(), "no temporary file is left behind");
            }
        }
    }

    @Test
    void badFilesAreRefusedWithTheReason() throws IOException {
        RegistryConfig config = new RegistryConfig(4, 1, Policy.EDF, Placement.FFD, 80, 2);
        ReserveRegistry.open(path, config).close();
        byte[] good = Files.readAllBytes(path);

        patch(good, RegistryHeaderDescriptor.MAGIC_OFFSET, 8, 0x1234L);
        assertRefused("is not a reserve registry");
        patch(good, RegistryHeaderDescriptor.VERSION_OFFSET, 4, 2 << 16);
        assertRefused("major versions must match");
        patch(good, RegistryHeaderDescriptor.CAPACITY_OFFSET, 4, 1000);
        assertRefused("claims 1000 entries");
        patch(good, RegistryHeaderDescriptor.POLICY_OFFSET, 4, 99);
        assertRefused("corrupt configuration");
        Files.write(path, new byte[100]);
        assertRefused("shorter than its header");
        Files.write(path, good);
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-rw-rw-"));
        assertRefused("lets group or others in");
    }

    private void patch(byte[] good, int offset, int size, long value) throws IOException {
        byte[] copy = good.clone();
        for (int i = 0; i < size; i++) {
            copy[offset + i] = (byte) (value >>> (8 * i));
        }
        Files.write(path, copy);
    }

    private void assertRefused(String reason) {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> ReserveRegistry.open(path, RegistryConfig.defaults(Policy.EDF)).close());
        assertTrue(e.getMessage().contains(reason), e.getMessage());
    }

    static void assertTiles(List<LayoutField> fields, int length) {
        int next = 0;
        Set<String> names = new HashSet<>();
        for (LayoutField f : fields) {
            assertEquals(next, f.offset(), "gap or overlap before " + f.name());
            assertTrue(names.add(f.name()), "duplicate name " + f.name());
            if (!f.name().startsWith("pad") && !f.name().equals("reserved")) {
                int align = Math.min(f.size(), 8);
                assertEquals(0, f.offset() % align, f.name() + " at " + f.offset() + " is not " + align + "-aligned");
            }
            next = f.end();
        }
        assertEquals(length, next, "fields end at " + next + ", structure is " + length);
    }

    static void assertConstants(List<LayoutField> fields, Map<String, Integer> constants, int derivedRows) {
        for (var e : constants.entrySet()) {
            assertEquals((int) e.getValue(), field(fields, e.getKey()).offset(), e.getKey());
        }
        long unnamed = fields.stream().filter(f -> !constants.containsKey(f.name()) && !f.name().startsWith("pad")
                && !f.name().equals("reserved")).count();
        assertEquals(derivedRows, unnamed, "rows without a constant");
    }

    static LayoutField field(List<LayoutField> fields, String name) {
        return fields.stream().filter(f -> f.name().equals(name)).findFirst().orElseThrow(() -> new AssertionError(name));
    }

    /** Reads the Descriptor's source and compares its javadoc table rows with {@code fields}, all columns. */
    static void assertJavadocTable(Class<?> descriptor, List<LayoutField> fields) throws IOException {
        Path source = Path.of("src/main/java", descriptor.getName().replace('.', '/') + ".java");
        List<String> rows = new ArrayList<>();
        for (String line : Files.readAllLines(source)) {
            String t = line.trim();
            if (t.matches("\\* \\| \\d+ \\|.*")) {
                rows.add(t.substring(2));
            }
        }
        List<String> expected = LayoutField.render(fields).lines().map(l -> l.trim().substring(2)).toList();
        assertEquals(expected, rows, "javadoc table of " + descriptor.getSimpleName() + " differs from FIELDS");
    }
}
