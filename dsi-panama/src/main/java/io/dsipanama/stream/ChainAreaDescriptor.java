package io.dsipanama.stream;

import io.dsipanama.ffm.support.LayoutField;
import java.util.List;

/**
 * The shared data area of a pipeline (DSI §4.2 memory chaining): one file that several streams use as their
 * data area, each stream keeping its own control area. Blocks are fixed-size, page-aligned (so a reclaim can
 * punch exactly a block's pages) and reference-counted in one 64-bit word per block.
 *
 * <pre>
 * +----------------------+ 0
 * | header               |  identity, sizes, offsets (table below)
 * +----------------------+ 4096 = holders_offset
 * | holders              |  MAX_HOLDERS x 64 B: one record per attached holder (a thread of a process)
 * +----------------------+ holders_offset + 1024 = streams_offset
 * | streams              |  MAX_STREAMS x 256 B: names of the member streams (for sweeps and revokes)
 * +----------------------+ blocks_offset (page-rounded)
 * | block words          |  block_count x 64 B, page-rounded: the reference word of each block
 * +----------------------+ data_offset (page-rounded)
 * | data                 |  block_count x block_bytes; block i at data offset i * block_bytes
 * +----------------------+
 * </pre>
 *
 * Header table:
 * <pre>
 * | offset | size | field | written by | read by | ordering |
 * | 0 | 8 | magic | creator | any | plain; published by the version release |
 * | 8 | 4 | version | creator | any | release store, last; openers acquire |
 * | 12 | 4 | block_bytes | creator | any | plain; published by the version release |
 * | 16 | 4 | block_count | creator | any | plain; published by the version release |
 * | 20 | 4 | creator_pid | creator | any | plain; published by the version release |
 * | 24 | 8 | creator_start_time | creator | any | plain; published by the version release |
 * | 32 | 8 | blocks_offset | creator | any | plain; published by the version release |
 * | 40 | 8 | data_offset | creator | any | plain; published by the version release |
 * | 48 | 4048 | reserved | - | - | - |
 * </pre>
 *
 * Holder record (one per holder; a holder is one thread of one process, the single writer of its record):
 * <pre>
 * | offset | size | field | written by | read by | ordering |
 * | 0 | 4 | pid | holder, sweeper | any | CAS 0 to ATTACHING, start time, then release of the pid; sweeper CAS a dead pid to 0 |
 * | 4 | 4 | pending_stream | holder | sweeper | plain, before the block-word CAS that sets PUBLISHING (which publishes it) |
 * | 8 | 8 | start_time | holder | any | plain; published by the pid release |
 * | 16 | 8 | pending_position | holder | sweeper | plain, as pending_stream |
 * | 24 | 4 | pending_block | holder | sweeper | plain, as pending_stream |
 * | 28 | 4 | pad | - | - | - |
 * | 32 | 8 | allocated | holder | any | opaque counter |
 * | 40 | 8 | freed | holder | any | opaque counter (blocks this holder's last release freed) |
 * | 48 | 8 | forwarded | holder | any | opaque counter |
 * | 56 | 8 | revoked | holder | any | opaque counter |
 * </pre>
 *
 * Stream entry: {@code 0 state (4; CAS 0 to 1, name, release 2) | 4 name_length (4) | 8 name (200) | 208 reserved}.
 *
 * <p><b>Block word</b> (CAS only, by any holder):
 * <pre>
 *  63          48 47                          16 15          2 1  0
 * +--------------+------------------------------+-------------+----+
 * | generation   | holder bits: 2 per holder    | refs        |code|
 * +--------------+------------------------------+-------------+----+
 * </pre>
 * {@code code}: FREE, LIVE, REVOKED. {@code refs}: stream slots (published, not final) naming the block.
 * Holder bits of holder h: 0 none, {@link #PRIVATE} (h holds an unpublished claim of the block),
 * {@link #PUBLISHING} (h added one slot reference and is publishing the slot recorded in its pending
 * fields). A block is freed, by whichever CAS makes refs and all holder bits zero, to FREE with its
 * generation; allocation bumps the generation. Because every reference change is one CAS on this word and
 * a holder's in-flight reference is in the same word as the count, a holder killed at any instruction
 * leaves a state the sweeper resolves exactly (see {@code ChainHolder}).
 */
public final class ChainAreaDescriptor {
    public static final long MAGIC = 0x4e49414843495344L; // "DSICHAIN" little-endian
    public static final int VERSION = 1 << 16;
    public static final int HEADER_LENGTH = 4096;
    public static final int MAX_HOLDERS = 16;
    public static final int MAX_STREAMS = 16;
    public static final int HOLDER_LENGTH = 64;
    public static final int STREAM_ENTRY_LENGTH = 256;
    public static final int BLOCK_WORD_LENGTH = 64;
    public static final int MAX_NAME_LENGTH = StreamDirectory.MAX_NAME_LENGTH;

    public static final int MAGIC_OFFSET = 0;
    public static final int VERSION_OFFSET = 8;
    public static final int BLOCK_BYTES_OFFSET = 12;
    public static final int BLOCK_COUNT_OFFSET = 16;
    public static final int CREATOR_PID_OFFSET = 20;
    public static final int CREATOR_START_TIME_OFFSET = 24;
    public static final int BLOCKS_OFFSET_OFFSET = 32;
    public static final int DATA_OFFSET_OFFSET = 40;

    public static final int HOLDERS_OFFSET = HEADER_LENGTH;
    public static final int STREAMS_OFFSET = HOLDERS_OFFSET + MAX_HOLDERS * HOLDER_LENGTH;

    public static final int HOLDER_PID = 0;
    public static final int HOLDER_PENDING_STREAM = 4;
    public static final int HOLDER_START_TIME = 8;
    public static final int HOLDER_PENDING_POSITION = 16;
    public static final int HOLDER_PENDING_BLOCK = 24;
    public static final int HOLDER_ALLOCATED = 32;
    public static final int HOLDER_FREED = 40;
    public static final int HOLDER_FORWARDED = 48;
    public static final int HOLDER_REVOKED = 56;

    public static final int STREAM_STATE = 0;
    public static final int STREAM_NAME_LENGTH = 4;
    public static final int STREAM_NAME = 8;
    public static final int STREAM_FREE = 0;
    public static final int STREAM_REGISTERING = 1;
    public static final int STREAM_REGISTERED = 2;

    /** Block word codes. */
    public static final int FREE = 0;
    public static final int LIVE = 1;
    public static final int REVOKED = 2;
    /** Holder bit values. */
    public static final int PRIVATE = 1;
    public static final int PUBLISHING = 3;

    static final int REFS_SHIFT = 2;
    static final long REFS_MASK = (1L << 14) - 1;
    static final int HOLDERS_SHIFT = 16;
    static final long HOLDERS_MASK = 0xFFFF_FFFFL;
    static final int GENERATION_SHIFT = 48;
    public static final int MAX_REFS = (int) REFS_MASK;

    public static final List<LayoutField> HEADER_FIELDS = List.of(
            new LayoutField(0, 8, "magic", "creator", "any", "plain; published by the version release"),
            new LayoutField(8, 4, "version", "creator", "any", "release store, last; openers acquire"),
            new LayoutField(12, 4, "block_bytes", "creator", "any", "plain; published by the version release"),
            new LayoutField(16, 4, "block_count", "creator", "any", "plain; published by the version release"),
            new LayoutField(20, 4, "creator_pid", "creator", "any", "plain; published by the version release"),
            new LayoutField(24, 8, "creator_start_time", "creator", "any", "plain; published by the version release"),
            new LayoutField(32, 8, "blocks_offset", "creator", "any", "plain; published by the version release"),
            new LayoutField(40, 8, "data_offset", "creator", "any", "plain; published by the version release"),
            new LayoutField(48, 4048, "reserved", "-", "-", "-"));

    public static final List<LayoutField> HOLDER_FIELDS = List.of(
            new LayoutField(0, 4, "pid", "holder, sweeper", "any", "CAS 0 to ATTACHING, start time, then release of the pid; sweeper CAS a dead pid to 0"),
            new LayoutField(4, 4, "pending_stream", "holder", "sweeper", "plain, before the block-word CAS that sets PUBLISHING (which publishes it)"),
            new LayoutField(8, 8, "start_time", "holder", "any", "plain; published by the pid release"),
            new LayoutField(16, 8, "pending_position", "holder", "sweeper", "plain, as pending_stream"),
            new LayoutField(24, 4, "pending_block", "holder", "sweeper", "plain, as pending_stream"),
            new LayoutField(28, 4, "pad", "-", "-", "-"),
            new LayoutField(32, 8, "allocated", "holder", "any", "opaque counter"),
            new LayoutField(40, 8, "freed", "holder", "any", "opaque counter (blocks this holder's last release freed)"),
            new LayoutField(48, 8, "forwarded", "holder", "any", "opaque counter"),
            new LayoutField(56, 8, "revoked", "holder", "any", "opaque counter"));

    private ChainAreaDescriptor() {
    }

    static int code(long word) {
        return (int) (word & 3);
    }

    static int refs(long word) {
        return (int) ((word >>> REFS_SHIFT) & REFS_MASK);
    }

    static long holderBits(long word) {
        return (word >>> HOLDERS_SHIFT) & HOLDERS_MASK;
    }

    static int holderBits(long word, int holder) {
        return (int) ((word >>> (HOLDERS_SHIFT + 2 * holder)) & 3);
    }

    static int generation(long word) {
        return (int) (word >>> GENERATION_SHIFT);
    }

    static long word(int generation, long holderBits, int refs, int code) {
        return (long) generation << GENERATION_SHIFT | (holderBits & HOLDERS_MASK) << HOLDERS_SHIFT
                | ((long) refs & REFS_MASK) << REFS_SHIFT | code;
    }

    static long withHolder(long word, int holder, int bits) {
        int shift = HOLDERS_SHIFT + 2 * holder;
        return (word & ~(3L << shift)) | (long) bits << shift;
    }

    static long withRefs(long word, int refs) {
        return (word & ~(REFS_MASK << REFS_SHIFT)) | ((long) refs & REFS_MASK) << REFS_SHIFT;
    }

    /** The word after a change that may have left no reference: FREE (same generation) if so. */
    static long settle(long word) {
        return refs(word) == 0 && holderBits(word) == 0 ? word(generation(word), 0, 0, FREE) : word;
    }

    /** Offset of holder record {@code holder} (0..MAX_HOLDERS-1) from the start of the area. */
    static long holderRecord(int holder) {
        return HOLDERS_OFFSET + (long) holder * HOLDER_LENGTH;
    }

    /** Offset of the first block word: after header, holders and streams, page-rounded. */
    static long blocksOffset(long pageSize) {
        return roundUp(STREAMS_OFFSET + (long) MAX_STREAMS * STREAM_ENTRY_LENGTH, pageSize);
    }

    static long dataOffset(int blockCount, long pageSize) {
        return blocksOffset(pageSize) + roundUp((long) blockCount * BLOCK_WORD_LENGTH, pageSize);
    }

    static long roundUp(long n, long unit) {
        return (n + unit - 1) / unit * unit;
    }
}
