package io.dsipanama.stream;

import io.dsipanama.ffm.support.LayoutField;
import java.util.ArrayList;
import java.util.List;

/**
 * The counters region of the stream header: {@link #CAPACITY} 64-bit slots, slot {@code i} holding the
 * {@link StreamCounter} with id {@code i}. It sits at {@code StreamHeaderDescriptor.COUNTERS_OFFSET}.
 *
 * <pre>
 * +---------+---------+---------+-----+-------------------+
 * | id 0    | id 1    | id 2    | ... | reserved (zero)   |
 * | 8 bytes | 8 bytes | 8 bytes |     | up to 1024 bytes  |
 * +---------+---------+---------+-----+-------------------+
 * </pre>
 *
 * <pre>
 * | offset | size | field | written by | read by | ordering |
 * | 0 | 8 | produced | producer | any | opaque: the single writer loads plain and stores opaque |
 * | 8 | 8 | bytes_produced | producer | any | opaque: the single writer loads plain and stores opaque |
 * | 16 | 8 | dropped_overflow_oldest | producer | any | opaque: the single writer loads plain and stores opaque |
 * | 24 | 8 | dropped_overflow_newest | producer | any | opaque: the single writer loads plain and stores opaque |
 * | 32 | 8 | expired | producer | any | opaque: the single writer loads plain and stores opaque |
 * | 40 | 8 | producer_marked_missing | producer | any | opaque: the single writer loads plain and stores opaque |
 * | 48 | 8 | revoked | producer | any | opaque: the single writer loads plain and stores opaque |
 * | 56 | 8 | futex_waits_producer | producer | any | opaque: the single writer loads plain and stores opaque |
 * | 64 | 8 | futex_wakes_consumer | producer | any | opaque: the single writer loads plain and stores opaque |
 * | 72 | 8 | missing_dropped | producer | any | opaque: the single writer loads plain and stores opaque |
 * | 80 | 16 | pad_producer_block | - | - | - |
 * | 96 | 8 | reclaimed | producer | any | opaque: the single writer loads plain and stores opaque |
 * | 104 | 8 | pages_reclaimed | producer | any | opaque: the single writer loads plain and stores opaque |
 * | 112 | 8 | producer_corruption_detected | producer | any | opaque: the single writer loads plain and stores opaque |
 * | 120 | 8 | recovered_from_dead_consumer | producer | any | opaque: the single writer loads plain and stores opaque |
 * | 128 | 8 | consumed | consumer | any | opaque: the single writer loads plain and stores opaque |
 * | 136 | 8 | bytes_consumed | consumer | any | opaque: the single writer loads plain and stores opaque |
 * | 144 | 8 | skipped | consumer | any | opaque: the single writer loads plain and stores opaque |
 * | 152 | 8 | expired_at_consumer | consumer | any | opaque: the single writer loads plain and stores opaque |
 * | 160 | 8 | futex_waits_consumer | consumer | any | opaque: the single writer loads plain and stores opaque |
 * | 168 | 8 | futex_wakes_producer | consumer | any | opaque: the single writer loads plain and stores opaque |
 * | 176 | 8 | corruption_detected | consumer | any | opaque: the single writer loads plain and stores opaque |
 * | 184 | 8 | taken | consumer | any | opaque: the single writer loads plain and stores opaque |
 * | 192 | 8 | revoked_seen | consumer | any | opaque: the single writer loads plain and stores opaque |
 * | 200 | 8 | missing_seen | consumer | any | opaque: the single writer loads plain and stores opaque |
 * | 208 | 16 | pad_consumer_block | - | - | - |
 * | 224 | 8 | revoked_by_fault | consumer | any | opaque: the single writer loads plain and stores opaque |
 * | 232 | 8 | revoked_by_check | consumer | any | opaque: the single writer loads plain and stores opaque |
 * | 240 | 8 | reuse_faults | consumer | any | opaque: the single writer loads plain and stores opaque |
 * | 248 | 8 | fault_events_lost | consumer | any | opaque: the single writer loads plain and stores opaque |
 * | 256 | 768 | reserved | - | - | - |
 * </pre>
 *
 * <p>Counters are statistics, not synchronisation: each has a single writer, which loads plain and stores
 * opaque (no read-modify-write instruction on the hot path), and readers load opaque, so a reader sees
 * each counter's values in order but no ordering between counters or with the ring. The producer's
 * counters (ids 0..15) and the consumer's (ids 16..31) sit in different 128-byte blocks: both sides write
 * theirs once per packet, and a shared line would bounce between the cores on every packet.
 */
public final class StreamCountersDescriptor {
    public static final int SLOT_LENGTH = Long.BYTES;
    public static final int CAPACITY = 128;
    public static final int LENGTH = CAPACITY * SLOT_LENGTH;

    /** The table above, derived from {@link StreamCounter} plus the reserved tail. */
    public static final List<LayoutField> FIELDS = fields();

    private StreamCountersDescriptor() {
    }

    public static int offsetOf(int id) {
        if (id < 0 || id >= CAPACITY) {
            throw new IllegalArgumentException("counter id " + id + " outside 0.." + (CAPACITY - 1));
        }
        return id * SLOT_LENGTH;
    }

    private static List<LayoutField> fields() {
        List<LayoutField> rows = new ArrayList<>();
        int end = 0;
        for (StreamCounter c : StreamCounter.values()) {
            if (c.offset() > end) {
                String pad = "pad_" + rows.get(rows.size() - 1).writtenBy() + "_block";
                String taken = pad;
                boolean used = rows.stream().anyMatch(r -> r.name().equals(taken));
                rows.add(new LayoutField(end, c.offset() - end, used ? pad + "_at_" + end : pad, "-", "-", "-"));
            }
            rows.add(new LayoutField(c.offset(), SLOT_LENGTH, c.label(), c.writer(), "any",
                    "opaque: the single writer loads plain and stores opaque"));
            end = c.offset() + SLOT_LENGTH;
        }
        rows.add(new LayoutField(end, LENGTH - end, "reserved", "-", "-", "-"));
        return List.copyOf(rows);
    }
}
