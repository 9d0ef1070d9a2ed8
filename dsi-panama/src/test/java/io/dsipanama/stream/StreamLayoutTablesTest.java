package io.dsipanama.stream;

import io.dsipanama.ffm.support.LayoutField;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** STYLE rule 7: each Descriptor's table tiles its structure, is aligned, and matches constants and javadoc. */
class StreamLayoutTablesTest {

    @Test
    void headerTableTilesOnePageAndMatchesConstants() throws IOException {
        List<LayoutField> f = StreamHeaderDescriptor.FIELDS;
        assertTiles(f, StreamHeaderDescriptor.LENGTH);
        Map<String, Integer> constants = Map.ofEntries(
                Map.entry("magic", StreamHeaderDescriptor.MAGIC_OFFSET),
                Map.entry("version", StreamHeaderDescriptor.VERSION_OFFSET),
                Map.entry("header_length", StreamHeaderDescriptor.HEADER_LENGTH_OFFSET),
                Map.entry("control_offset", StreamHeaderDescriptor.CONTROL_OFFSET_OFFSET),
                Map.entry("control_length", StreamHeaderDescriptor.CONTROL_LENGTH_OFFSET),
                Map.entry("data_offset", StreamHeaderDescriptor.DATA_OFFSET_OFFSET),
                Map.entry("data_length", StreamHeaderDescriptor.DATA_LENGTH_OFFSET),
                Map.entry("descriptor_count", StreamHeaderDescriptor.DESCRIPTOR_COUNT_OFFSET),
                Map.entry("descriptor_length", StreamHeaderDescriptor.DESCRIPTOR_LENGTH_OFFSET),
                Map.entry("max_packet", StreamHeaderDescriptor.MAX_PACKET_OFFSET),
                Map.entry("policy", StreamHeaderDescriptor.POLICY_OFFSET),
                Map.entry("mode", StreamHeaderDescriptor.MODE_OFFSET),
                Map.entry("flags", StreamHeaderDescriptor.FLAGS_OFFSET),
                Map.entry("validity_ticks", StreamHeaderDescriptor.VALIDITY_TICKS_OFFSET),
                Map.entry("epoch_ns", StreamHeaderDescriptor.EPOCH_NS_OFFSET),
                Map.entry("ns_per_tick", StreamHeaderDescriptor.NS_PER_TICK_OFFSET),
                Map.entry("creator_pid", StreamHeaderDescriptor.CREATOR_PID_OFFSET),
                Map.entry("counters_offset", StreamHeaderDescriptor.COUNTERS_OFFSET_OFFSET),
                Map.entry("creator_start_time", StreamHeaderDescriptor.CREATOR_START_TIME_OFFSET),
                Map.entry("counters_length", StreamHeaderDescriptor.COUNTERS_LENGTH_OFFSET),
                Map.entry("producer_pid", StreamHeaderDescriptor.PRODUCER_PID_OFFSET),
                Map.entry("producer_start_time", StreamHeaderDescriptor.PRODUCER_START_TIME_OFFSET),
                Map.entry("producer_liveness", StreamHeaderDescriptor.PRODUCER_LIVENESS_OFFSET),
                Map.entry("consumer_pid", StreamHeaderDescriptor.CONSUMER_PID_OFFSET),
                Map.entry("consumer_start_time", StreamHeaderDescriptor.CONSUMER_START_TIME_OFFSET),
                Map.entry("consumer_liveness", StreamHeaderDescriptor.CONSUMER_LIVENESS_OFFSET),
                Map.entry("data_available", StreamHeaderDescriptor.DATA_AVAILABLE_OFFSET),
                Map.entry("data_waiters", StreamHeaderDescriptor.DATA_WAITERS_OFFSET),
                Map.entry("space_available", StreamHeaderDescriptor.SPACE_AVAILABLE_OFFSET),
                Map.entry("space_waiters", StreamHeaderDescriptor.SPACE_WAITERS_OFFSET),
                Map.entry("spool_target", StreamHeaderDescriptor.SPOOL_TARGET_OFFSET),
                Map.entry("producer_position", StreamHeaderDescriptor.PRODUCER_POSITION_OFFSET),
                Map.entry("drop_record_sequence", StreamHeaderDescriptor.DROP_RECORD_SEQUENCE_OFFSET),
                Map.entry("free_position", StreamHeaderDescriptor.FREE_POSITION_OFFSET),
                Map.entry("dropped_oldest_total", StreamHeaderDescriptor.DROPPED_OLDEST_TOTAL_OFFSET),
                Map.entry("expired_total", StreamHeaderDescriptor.EXPIRED_TOTAL_OFFSET),
                Map.entry("dropped_newest_total", StreamHeaderDescriptor.DROPPED_NEWEST_TOTAL_OFFSET),
                Map.entry("missing_dropped_total", StreamHeaderDescriptor.MISSING_DROPPED_TOTAL_OFFSET),
                Map.entry("alloc_head", StreamHeaderDescriptor.ALLOC_HEAD_OFFSET),
                Map.entry("last_virtual_time", StreamHeaderDescriptor.LAST_VIRTUAL_TIME_OFFSET),
                Map.entry("reclaimed_total", StreamHeaderDescriptor.RECLAIMED_TOTAL_OFFSET),
                Map.entry("consumer_position", StreamHeaderDescriptor.CONSUMER_POSITION_OFFSET),
                Map.entry("attributed_oldest", StreamHeaderDescriptor.ATTRIBUTED_OLDEST_OFFSET),
                Map.entry("attributed_expired", StreamHeaderDescriptor.ATTRIBUTED_EXPIRED_OFFSET),
                Map.entry("attributed_newest", StreamHeaderDescriptor.ATTRIBUTED_NEWEST_OFFSET),
                Map.entry("attributed_missing", StreamHeaderDescriptor.ATTRIBUTED_MISSING_OFFSET),
                Map.entry("attributed_reclaimed", StreamHeaderDescriptor.ATTRIBUTED_RECLAIMED_OFFSET),
                Map.entry("fault_watch", StreamHeaderDescriptor.FAULT_WATCH_OFFSET),
                Map.entry("counters", StreamHeaderDescriptor.COUNTERS_OFFSET),
                Map.entry("lock_demand", StreamHeaderDescriptor.LOCK_DEMAND_OFFSET),
                Map.entry("producer_lock", StreamHeaderDescriptor.PRODUCER_LOCK_OFFSET),
                Map.entry("consumer_lock", StreamHeaderDescriptor.CONSUMER_LOCK_OFFSET),
                Map.entry("producer_lock_honoured", StreamHeaderDescriptor.PRODUCER_LOCK_HONOURED_OFFSET),
                Map.entry("consumer_lock_honoured", StreamHeaderDescriptor.CONSUMER_LOCK_HONOURED_OFFSET));
        assertConstants(f, constants);
        assertEquals(StreamHeaderDescriptor.COUNTERS_LENGTH, field(f, "counters").size());
        assertJavadocTable(StreamHeaderDescriptor.class, f);
    }

    @Test
    void producerAndConsumerHotWordsNeverShareAFalseSharingBlock() {
        int block = StreamHeaderDescriptor.FALSE_SHARING_BLOCK;
        int[] hot = {StreamHeaderDescriptor.DATA_AVAILABLE_OFFSET, StreamHeaderDescriptor.SPACE_AVAILABLE_OFFSET,
                StreamHeaderDescriptor.SPOOL_TARGET_OFFSET, StreamHeaderDescriptor.PRODUCER_POSITION_OFFSET,
                StreamHeaderDescriptor.CONSUMER_POSITION_OFFSET};
        Set<Integer> blocks = new HashSet<>();
        for (int offset : hot) {
            assertTrue(blocks.add(offset / block), "offset " + offset + " shares a 128-byte block");
        }
        assertTrue(StreamHeaderDescriptor.PRODUCER_PEER_OFFSET / 64 != StreamHeaderDescriptor.CONSUMER_PEER_OFFSET / 64);
    }

    @Test
    void slotTableIsOneCacheLine() throws IOException {
        List<LayoutField> f = PacketDescriptorDescriptor.FIELDS;
        assertEquals(StreamHeaderDescriptor.CACHE_LINE, PacketDescriptorDescriptor.LENGTH);
        assertTiles(f, PacketDescriptorDescriptor.LENGTH);
        assertConstants(f, Map.of("sequence", PacketDescriptorDescriptor.SEQUENCE_OFFSET,
                "virtual_time", PacketDescriptorDescriptor.VIRTUAL_TIME_OFFSET,
                "data_offset", PacketDescriptorDescriptor.DATA_OFFSET_OFFSET,
                "length", PacketDescriptorDescriptor.LENGTH_OFFSET,
                "flags", PacketDescriptorDescriptor.FLAGS_OFFSET,
                "expiry", PacketDescriptorDescriptor.EXPIRY_OFFSET,
                "state", PacketDescriptorDescriptor.STATE_OFFSET,
                "allocation", PacketDescriptorDescriptor.ALLOCATION_OFFSET,
                "lost_newest", PacketDescriptorDescriptor.LOST_NEWEST_OFFSET));
        assertJavadocTable(PacketDescriptorDescriptor.class, f);
    }

    @Test
    void countersHaveStableUniqueIdsAndTileTheRegion() throws IOException {
        Set<Integer> ids = new HashSet<>();
        Set<String> labels = new HashSet<>();
        for (StreamCounter c : StreamCounter.values()) {
            assertTrue(ids.add(c.id()), "id reused: " + c);
            assertTrue(labels.add(c.label()), "label reused: " + c);
            assertTrue(c.label().matches("[a-z_]+"), c.label());
            assertTrue(c.writer().equals("producer") || c.writer().equals("consumer"), c.writer());
            assertTrue(c.id() < StreamCountersDescriptor.CAPACITY);
        }
        // pinned ids: changing one would make old readers misread new files
        assertEquals(0, StreamCounter.PRODUCED.id());
        assertEquals(2, StreamCounter.DROPPED_OVERFLOW_OLDEST.id());
        assertEquals(16, StreamCounter.CONSUMED.id());
        assertEquals(22, StreamCounter.CORRUPTION_DETECTED.id());
        for (StreamCounter c : StreamCounter.values()) {
            assertEquals(c.writer().equals("consumer"), c.id() >= StreamCounter.FIRST_CONSUMER_ID, c + " in the wrong block");
            assertTrue(c.id() < 2 * StreamCounter.FIRST_CONSUMER_ID, c + " beyond the consumer block");
        }
        assertTiles(StreamCountersDescriptor.FIELDS, StreamCountersDescriptor.LENGTH);
        assertJavadocTable(StreamCountersDescriptor.class, StreamCountersDescriptor.FIELDS);
    }

    private static void assertTiles(List<LayoutField> fields, int length) {
        int next = 0;
        Set<String> names = new HashSet<>();
        for (LayoutField f : fields) {
            assertEquals(next, f.offset(), "gap or overlap before " + f.name());
            assertTrue(names.add(f.name()), "duplicate name " + f.name());
            if (!f.name().startsWith("pad") && !f.name().equals("reserved")) {
                int align = Math.min(f.size(), 8);
                assertEquals(0, f.offset() % align, f.name() + " at " + f.offset() + " is not " + align + "-aligned");
                assertTrue(f.size() == 4 || f.size() == 8 || f.size() % 64 == 0, f.name() + " size " + f.size());
            }
            next = f.end();
        }
        assertEquals(length, next, "fields end at " + next + ", structure is " + length);
    }

    private static void assertConstants(List<LayoutField> fields, Map<String, Integer> constants) {
        for (var e : constants.entrySet()) {
            assertEquals((int) e.getValue(), field(fields, e.getKey()).offset(), e.getKey());
        }
        for (LayoutField f : fields) {
            assertTrue(constants.containsKey(f.name()) || f.name().startsWith("pad") || f.name().equals("reserved"),
                    "no constant for " + f.name());
        }
    }

    private static LayoutField field(List<LayoutField> fields, String name) {
        return fields.stream().filter(f -> f.name().equals(name)).findFirst().orElseThrow(() -> new AssertionError(name));
    }

    /** Reads the Descriptor's source and compares its javadoc table rows with {@code fields}, all columns. */
    private static void assertJavadocTable(Class<?> descriptor, List<LayoutField> fields) throws IOException {
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
