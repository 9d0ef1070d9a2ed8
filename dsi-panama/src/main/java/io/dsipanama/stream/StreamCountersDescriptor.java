package io.dsipanama.stream;

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
 * | 8 | 8 | consumed | consumer | any | opaque: the single writer loads plain and stores opaque |
 * | 16 | 8 | bytes_produced | producer | any | opaque: the single writer loads plain and stores opaque |
 * | 24 | 8 | bytes_consumed | consumer | any | opaque: the single writer loads plain and stores opaque |
 * | 32 | 8 | dropped_overflow_oldest | producer | any | opaque: the single writer loads plain and stores opaque |
 * | 40 | 8 | dropped_overflow_newest | producer | any | opaque: the single writer loads plain and stores opaque |
 * | 48 | 8 | expired | producer | any | opaque: the single writer loads plain and stores opaque |
 * | 56 | 8 | producer_marked_missing | producer | any | opaque: the single writer loads plain and stores opaque |
 * | 64 | 8 | skipped | consumer | any | opaque: the single writer loads plain and stores opaque |
 * | 72 | 8 | revoked | producer | any | opaque: the single writer loads plain and stores opaque |
 * | 80 | 8 | futex_waits_producer | producer | any | opaque: the single writer loads plain and stores opaque |
 * | 88 | 8 | futex_waits_consumer | consumer | any | opaque: the single writer loads plain and stores opaque |
 * | 96 | 8 | futex_wakes_producer | consumer | any | opaque: the single writer loads plain and stores opaque |
 * | 104 | 8 | futex_wakes_consumer | producer | any | opaque: the single writer loads plain and stores opaque |
 * | 112 | 8 | corruption_detected | consumer | any | opaque: the single writer loads plain and stores opaque |
 * | 120 | 904 | reserved | - | - | - |
 * </pre>
 *
 * <p>Counters are statistics, not synchronisation: each has a single writer, which loads plain and stores
 * opaque (no read-modify-write instruction on the hot path), and readers load opaque, so a reader sees
 * each counter's values in order but no ordering between counters or with the ring. They share cache
 * lines between the producer's and the consumer's counters on purpose: they are written once per packet,
 * next to a cache-line transfer of the slot anyway, and packing keeps the header one page.
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
            rows.add(new LayoutField(c.offset(), SLOT_LENGTH, c.label(), c.writer(), "any",
                    "opaque: the single writer loads plain and stores opaque"));
            end = Math.max(end, c.offset() + SLOT_LENGTH);
        }
        rows.add(new LayoutField(end, LENGTH - end, "reserved", "-", "-", "-"));
        return List.copyOf(rows);
    }
}
