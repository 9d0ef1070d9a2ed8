package io.dsipanama.stream;

import io.dsipanama.ffm.support.LayoutField;
import java.util.List;

/**
 * One packet descriptor: a slot of the control area (DSI §4.2, the indirection between the ring and the
 * data area). Slot {@code i} lives at {@code control_offset + i * LENGTH}; a position {@code p} (a 64-bit
 * count of packets ever published) uses slot {@code p & (descriptor_count - 1)}. A slot is exactly one
 * cache line and slots start cache-line aligned, so neighbouring slots never share a line.
 *
 * <pre>
 * +----------+--------------+-------------+--------+-------+--------+-------+------------+-------------+------+
 * | sequence | virtual_time | data_offset | length | flags | expiry | state | allocation | lost_newest | rsvd |
 * | 0..7     | 8..15        | 16..23      | 24..27 | 28..31| 32..39 | 40..47| 48..55     | 56..59      | 60.. |
 * +----------+--------------+-------------+--------+-------+--------+-------+------------+-------------+------+
 * </pre>
 *
 * <pre>
 * | 0 | 8 | sequence | producer | consumer | seqlock: 2p+1 (opaque, then a store-store fence) while position p is written, 2p+2 by release when done; consumer acquire, re-check after |
 * | 8 | 8 | virtual_time | producer | consumer | plain inside the seqlock |
 * | 16 | 8 | data_offset | producer | consumer | plain inside the seqlock; offset into the data area, untrusted by the reader |
 * | 24 | 4 | length | producer | consumer | plain inside the seqlock; untrusted by the reader |
 * | 28 | 4 | flags | producer | consumer | plain inside the seqlock (MISSING) |
 * | 32 | 8 | expiry | producer | consumer | plain inside the seqlock; first virtual time at which the packet is void |
 * | 40 | 8 | state | producer, consumer | producer, consumer | position << 4 | code; plain inside the seqlock for READY, then CAS only (see the state table) |
 * | 48 | 8 | allocation | producer | producer | plain; data-area byte position where this packet's allocation (with wrap padding) starts |
 * | 56 | 4 | lost_newest | producer | consumer | plain inside the seqlock; packets DROP_NEWEST refused just before this position |
 * | 60 | 4 | reserved | - | - | - |
 * </pre>
 *
 * <p><b>sequence</b> is a seqlock and a generation at once: {@code 2p+2} means "this slot holds position
 * p, complete". A reader looking for position {@code p} that finds less has nothing yet; one that finds
 * more was lapped (the producer reused the slot, so p was dropped). The reader loads it (acquire), reads
 * the fields, issues a load-load fence, loads it again and discards what it read unless both equal
 * {@code 2p+2}. {@code data_offset} and {@code length} are untrusted: the reader checks them against the
 * data area before slicing.
 *
 * <p><b>state</b> = {@code p << 4 | code} arbitrates between producer and consumer; including the
 * position means a CAS can never succeed on a later lap's packet (no ABA). Transitions:
 * <pre>
 * | name = code | set by | from |
 * | READY = 1 | producer | (written inside the seqlock at publication) |
 * | TAKEN = 2 | consumer | READY: the consumer holds the packet |
 * | RELEASED = 3 | consumer | TAKEN (released after reading), or READY (a MISSING marker passed) |
 * | CONSUMER_EXPIRED = 4 | consumer | READY: found expired when taken, never delivered |
 * | SKIPPED = 5 | consumer | READY: passed over by a spool forward |
 * | DROPPED_OLDEST = 6 | producer | READY: overwritten under DROP_OLDEST |
 * | EXPIRED = 7 | producer | READY: reclaimed after its validity ended |
 * | DROPPED_MISSING = 8 | producer | READY MISSING marker reclaimed before the consumer saw it |
 * | REVOKED = 9 | producer; chained: any holder | TAKEN: memory taken back from a consumer still holding it; chained streams also READY: the block was reclaimed (ChainHolder.revoke) |
 * | RECLAIMED = 10 | producer | READY: taken back (reclaim) before the consumer took it |
 * </pre>
 * Repairs after corruption (not in the table: they never happen between honest peers): the producer CASes an
 * impossible word in a slot it is freeing to REVOKED of that position, and drops (DROPPED_OLDEST) a READY
 * position the consumer's cursor is already past; the consumer CASes a TAKEN position it passed but does
 * not hold to RELEASED, and a stepped-over position to RELEASED.
 * The producer frees a position (reuses its slot and data) only once its state is a final one
 * (RELEASED, CONSUMER_EXPIRED, SKIPPED, or one of its own drops), so the consumer's CAS from READY or
 * TAKEN decides every race; {@code isStillValid()} of a held packet is "state is still TAKEN of p".
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
    public static final int ALLOCATION_OFFSET = 48;
    public static final int LOST_NEWEST_OFFSET = 56;

    /** {@code flags}: the producer had no data for this virtual time (DSI: "data is not available"). */
    public static final int FLAG_MISSING = 1;

    /** Bits of {@code state} holding the code; the rest is the position. */
    public static final int STATE_CODE_BITS = 4;
    public static final long STATE_CODE_MASK = (1 << STATE_CODE_BITS) - 1;

    /** {@code state} codes (see the transition table). */
    public static final int STATE_EMPTY = 0;
    public static final int STATE_READY = 1;
    public static final int STATE_TAKEN = 2;
    public static final int STATE_RELEASED = 3;
    public static final int STATE_CONSUMER_EXPIRED = 4;
    public static final int STATE_SKIPPED = 5;
    public static final int STATE_DROPPED_OLDEST = 6;
    public static final int STATE_EXPIRED = 7;
    public static final int STATE_DROPPED_MISSING = 8;
    public static final int STATE_REVOKED = 9;
    public static final int STATE_RECLAIMED = 10;

    public static final List<LayoutField> FIELDS = List.of(
            new LayoutField(0, 8, "sequence", "producer", "consumer", "seqlock: 2p+1 (opaque, then a store-store fence) while position p is written, 2p+2 by release when done; consumer acquire, re-check after"),
            new LayoutField(8, 8, "virtual_time", "producer", "consumer", "plain inside the seqlock"),
            new LayoutField(16, 8, "data_offset", "producer", "consumer", "plain inside the seqlock; offset into the data area, untrusted by the reader"),
            new LayoutField(24, 4, "length", "producer", "consumer", "plain inside the seqlock; untrusted by the reader"),
            new LayoutField(28, 4, "flags", "producer", "consumer", "plain inside the seqlock (MISSING)"),
            new LayoutField(32, 8, "expiry", "producer", "consumer", "plain inside the seqlock; first virtual time at which the packet is void"),
            new LayoutField(40, 8, "state", "producer, consumer", "producer, consumer", "position << 4 | code; plain inside the seqlock for READY, then CAS only (see the state table)"),
            new LayoutField(48, 8, "allocation", "producer", "producer", "plain; data-area byte position where this packet's allocation (with wrap padding) starts"),
            new LayoutField(56, 4, "lost_newest", "producer", "consumer", "plain inside the seqlock; packets DROP_NEWEST refused just before this position"),
            new LayoutField(60, 4, "reserved", "-", "-", "-"));

    private PacketDescriptorDescriptor() {
    }

    /** Offset of slot {@code index} from the start of the control area. */
    public static long slotOffset(int index) {
        return (long) index * LENGTH;
    }

    /** The {@code state} word for {@code position} in state {@code code}. */
    public static long state(long position, int code) {
        return position << STATE_CODE_BITS | code;
    }

    /** The sequence value meaning "slot holds position {@code position}, complete". */
    public static long publishedSequence(long position) {
        return 2 * position + 2;
    }

    /** True for codes after which the producer may reuse the slot and its data. */
    public static boolean isFinal(int code) {
        return code >= STATE_RELEASED && code <= STATE_RECLAIMED;
    }
}
