package io.dsipanama.stream;

import java.util.List;

/**
 * One packet descriptor: a slot of the control area (DSI §4.2, the indirection between the ring and the
 * data area). Slot {@code i} lives at {@code control_offset + i * LENGTH}; a position {@code p} (a 64-bit
 * count of packets ever produced) uses slot {@code p & (descriptor_count - 1)}. A slot is exactly one
 * cache line and slots start cache-line aligned, so neighbouring slots never share a line.
 *
 * <pre>
 * +----------+--------------+-------------+--------+-------+----------+-------+----------+
 * | sequence | virtual_time | data_offset | length | flags | expiry   | state | reserved |
 * | 0..7     | 8..15        | 16..23      | 24..27 | 28..31| 32..39   | 40..43| 44..63   |
 * +----------+--------------+-------------+--------+-------+----------+-------+----------+
 * </pre>
 *
 * <pre>
 * | offset | size | field | written by | read by | ordering |
 * | 0 | 8 | sequence | producer | consumer | seqlock: odd while written; plain+release fence to open, release store to close; consumer acquire, re-check after |
 * | 8 | 8 | virtual_time | producer | consumer | plain inside the seqlock |
 * | 16 | 8 | data_offset | producer | consumer | plain inside the seqlock; offset into the data area |
 * | 24 | 4 | length | producer | consumer | plain inside the seqlock |
 * | 28 | 4 | flags | producer | consumer | plain inside the seqlock (MISSING, ...) |
 * | 32 | 8 | expiry | producer | consumer | plain inside the seqlock; virtual time after which the packet is void |
 * | 40 | 4 | state | producer, consumer | producer, consumer | CAS (READY to CONSUMED by the consumer, to EXPIRED by the producer) |
 * | 44 | 20 | reserved | - | - | - |
 * </pre>
 *
 * <p>{@code sequence} is a seqlock: the producer makes it odd before touching the other fields and even
 * (one more) after; {@code sequence >>> 1} is the number of times the slot was written, so a reader can
 * tell a slot of this lap from one of the previous lap. A reader loads it (acquire), reads the fields,
 * then loads it again and discards what it read unless both loads are equal and even. {@code data_offset}
 * and {@code length} are untrusted input to the reader: it checks them against the data area before
 * slicing.
 */
public final class PacketDescriptorDescriptor {
    public static final int LENGTH = StreamHeaderDescriptor.CACHE_LINE;

    public static final int SEQUENCE_OFFSET = 0;
    public static final int VIRTUAL_TIME_OFFSET = 8;
    public static final int DATA_OFFSET_OFFSET = 16;
    public static final int LENGTH_OFFSET = 24;
    public static final int FLAGS_OFFSET = 28;
    public static final int EXPIRY_OFFSET = 32;
    public static final int STATE_OFFSET = 40;

    /** {@code flags}: the producer had no data for this virtual time (DSI: "data is not available"). */
    public static final int FLAG_MISSING = 1;

    /** {@code state} values. */
    public static final int STATE_EMPTY = 0;
    public static final int STATE_READY = 1;
    public static final int STATE_CONSUMED = 2;
    public static final int STATE_EXPIRED = 3;

    public static final List<LayoutField> FIELDS = List.of(
            new LayoutField(0, 8, "sequence", "producer", "consumer", "seqlock: odd while written; plain+release fence to open, release store to close; consumer acquire, re-check after"),
            new LayoutField(8, 8, "virtual_time", "producer", "consumer", "plain inside the seqlock"),
            new LayoutField(16, 8, "data_offset", "producer", "consumer", "plain inside the seqlock; offset into the data area"),
            new LayoutField(24, 4, "length", "producer", "consumer", "plain inside the seqlock"),
            new LayoutField(28, 4, "flags", "producer", "consumer", "plain inside the seqlock (MISSING, ...)"),
            new LayoutField(32, 8, "expiry", "producer", "consumer", "plain inside the seqlock; virtual time after which the packet is void"),
            new LayoutField(40, 4, "state", "producer, consumer", "producer, consumer", "CAS (READY to CONSUMED by the consumer, to EXPIRED by the producer)"),
            new LayoutField(44, 20, "reserved", "-", "-", "-"));

    private PacketDescriptorDescriptor() {
    }

    /** Offset of slot {@code index} from the start of the control area. */
    public static long slotOffset(int index) {
        return (long) index * LENGTH;
    }
}
