package io.dsipanama.rtu.metrics;

import io.dsipanama.ffm.support.LayoutField;

import java.util.List;

/**
 * The layout of a scheduler's metrics file: one per {@code RtScheduler}, next to the registry it admits
 * through ({@code metrics.PID.N}), holding each reserve's release-jitter and response-time histograms so an
 * outside tool can read them from a live process. The counters of a reserve live in its registry entry
 * ({@code ReserveCounter}); this file has what does not fit there.
 *
 * <pre>
 * +---------------------------+ 0
 * | header (HEADER_FIELDS)    |   4096 bytes: identity, backend, histogram parameters
 * +---------------------------+ 4096
 * | slot 0                    |   slot_length bytes each: SLOT_FIELDS (64 bytes), then the two
 * | slot 1                    |   histograms, histogram_capacity bytes each
 * | ...                       |
 * +---------------------------+ 4096 + slot_count * slot_length
 *
 * slot
 * +---------------------------+ 0
 * | ids, seqlock, lengths     |   SLOT_FIELDS
 * +---------------------------+ 64
 * | jitter histogram          |   HdrHistogram's encodeIntoByteBuffer form, jitter_length bytes used
 * +---------------------------+ 64 + histogram_capacity
 * | response histogram        |   response_length bytes used
 * +---------------------------+ 64 + 2 * histogram_capacity (rounded up to 64 = slot_length)
 * </pre>
 *
 * Header:
 * <pre>
 * | offset | size | field | written by | read by | ordering |
 * | 0 | 8 | magic | owner | any | plain; published by the version release |
 * | 8 | 4 | version | owner | any | release store, last; readers acquire (pairs with it) |
 * | 12 | 4 | header_length | owner | any | plain; published by the version release |
 * | 16 | 4 | slot_count | owner | any | plain; published by the version release |
 * | 20 | 4 | slot_length | owner | any | plain; published by the version release |
 * | 24 | 4 | histogram_capacity | owner | any | plain; published by the version release |
 * | 28 | 4 | owner_pid | owner | any | plain; published by the version release |
 * | 32 | 8 | owner_start_time | owner | any | plain; published by the version release |
 * | 40 | 4 | backend | owner | any | plain; published by the version release |
 * | 44 | 4 | real_time | owner | any | plain; published by the version release |
 * | 48 | 8 | histogram_lowest_ns | owner | any | plain; published by the version release |
 * | 56 | 8 | histogram_highest_ns | owner | any | plain; published by the version release |
 * | 64 | 4 | histogram_digits | owner | any | plain; published by the version release |
 * | 68 | 60 | pad_identity | - | - | - |
 * | 128 | 256 | backend_reason | owner | any | plain ASCII, NUL-padded; published by the version release |
 * | 384 | 3712 | reserved | - | - | - |
 * </pre>
 *
 * Slot:
 * <pre>
 * | offset | size | field | written by | read by | ordering |
 * | 0 | 4 | state | owner | any | release store (ACTIVE after the ids); readers acquire |
 * | 4 | 4 | registry_slot | owner | any | plain; published by the state release |
 * | 8 | 4 | registry_generation | owner | any | plain; published by the state release |
 * | 12 | 4 | pad_ids | - | - | - |
 * | 16 | 8 | publish_seq | publisher | any | seqlock: opaque odd store and store fence before the histograms, release even store after; readers acquire, copy, load fence, re-read |
 * | 24 | 8 | published_at_ns | publisher | any | plain, inside the seqlock |
 * | 32 | 4 | jitter_length | publisher | any | plain, inside the seqlock |
 * | 36 | 4 | response_length | publisher | any | plain, inside the seqlock |
 * | 40 | 24 | pad_seqlock | - | - | - |
 * </pre>
 *
 * <p>The histograms are cumulative since the reserve was admitted; the publisher (a normal-priority
 * thread of the owning scheduler) folds the virtual processors' interval histograms into them and rewrites
 * both every publication interval, so the virtual processors never encode anything. {@code backend}: 1
 * SCHED_FIFO, 2 SCHED_DEADLINE, 3 non-real-time fallback; {@code real_time} is 0 for the fallback, and
 * {@code backend_reason} says why that backend was chosen.
 */
public final class MetricsFileDescriptor {
    /** "DSI-RTUM" read as a little-endian long. */
    public static final long MAGIC = 0x4D5554522D495344L;
    public static final int VERSION_MAJOR = 1;
    public static final int VERSION = VERSION_MAJOR << 16;
    public static final int HEADER_LENGTH = 4096;
    public static final int SLOT_HEADER_LENGTH = 64;

    public static final int MAGIC_OFFSET = 0;
    public static final int VERSION_OFFSET = 8;
    public static final int HEADER_LENGTH_OFFSET = 12;
    public static final int SLOT_COUNT_OFFSET = 16;
    public static final int SLOT_LENGTH_OFFSET = 20;
    public static final int HISTOGRAM_CAPACITY_OFFSET = 24;
    public static final int OWNER_PID_OFFSET = 28;
    public static final int OWNER_START_TIME_OFFSET = 32;
    public static final int BACKEND_OFFSET = 40;
    public static final int REAL_TIME_OFFSET = 44;
    public static final int HISTOGRAM_LOWEST_NS_OFFSET = 48;
    public static final int HISTOGRAM_HIGHEST_NS_OFFSET = 56;
    public static final int HISTOGRAM_DIGITS_OFFSET = 64;
    public static final int BACKEND_REASON_OFFSET = 128;
    public static final int BACKEND_REASON_LENGTH = 256;

    public static final int STATE_OFFSET = 0;
    public static final int REGISTRY_SLOT_OFFSET = 4;
    public static final int REGISTRY_GENERATION_OFFSET = 8;
    public static final int PUBLISH_SEQ_OFFSET = 16;
    public static final int PUBLISHED_AT_NS_OFFSET = 24;
    public static final int JITTER_LENGTH_OFFSET = 32;
    public static final int RESPONSE_LENGTH_OFFSET = 36;

    public static final int STATE_FREE = 0;
    public static final int STATE_ACTIVE = 1;

    public static final List<LayoutField> HEADER_FIELDS = List.of(
            new LayoutField(0, 8, "magic", "owner", "any", "plain; published by the version release"),
            new LayoutField(8, 4, "version", "owner", "any", "release store, last; readers acquire (pairs with it)"),
            new LayoutField(12, 4, "header_length", "owner", "any", "plain; published by the version release"),
            new LayoutField(16, 4, "slot_count", "owner", "any", "plain; published by the version release"),
            new LayoutField(20, 4, "slot_length", "owner", "any", "plain; published by the version release"),
            new LayoutField(24, 4, "histogram_capacity", "owner", "any", "plain; published by the version release"),
            new LayoutField(28, 4, "owner_pid", "owner", "any", "plain; published by the version release"),
            new LayoutField(32, 8, "owner_start_time", "owner", "any", "plain; published by the version release"),
            new LayoutField(40, 4, "backend", "owner", "any", "plain; published by the version release"),
            new LayoutField(44, 4, "real_time", "owner", "any", "plain; published by the version release"),
            new LayoutField(48, 8, "histogram_lowest_ns", "owner", "any", "plain; published by the version release"),
            new LayoutField(56, 8, "histogram_highest_ns", "owner", "any", "plain; published by the version release"),
            new LayoutField(64, 4, "histogram_digits", "owner", "any", "plain; published by the version release"),
            new LayoutField(68, 60, "pad_identity", "-", "-", "-"),
            new LayoutField(128, 256, "backend_reason", "owner", "any", "plain ASCII, NUL-padded; published by the version release"),
            new LayoutField(384, 3712, "reserved", "-", "-", "-"));

    public static final List<LayoutField> SLOT_FIELDS = List.of(
            new LayoutField(0, 4, "state", "owner", "any", "release store (ACTIVE after the ids); readers acquire"),
            new LayoutField(4, 4, "registry_slot", "owner", "any", "plain; published by the state release"),
            new LayoutField(8, 4, "registry_generation", "owner", "any", "plain; published by the state release"),
            new LayoutField(12, 4, "pad_ids", "-", "-", "-"),
            new LayoutField(16, 8, "publish_seq", "publisher", "any", "seqlock: opaque odd store and store fence before the histograms, release even store after; readers acquire, copy, load fence, re-read"),
            new LayoutField(24, 8, "published_at_ns", "publisher", "any", "plain, inside the seqlock"),
            new LayoutField(32, 4, "jitter_length", "publisher", "any", "plain, inside the seqlock"),
            new LayoutField(36, 4, "response_length", "publisher", "any", "plain, inside the seqlock"),
            new LayoutField(40, 24, "pad_seqlock", "-", "-", "-"));

    private MetricsFileDescriptor() {
    }

    /** Slot length for histograms of {@code histogramCapacity} bytes: both after the 64-byte slot header. */
    public static int slotLength(int histogramCapacity) {
        return (SLOT_HEADER_LENGTH + 2 * histogramCapacity + 63) & ~63;
    }

    public static long slotOffset(int slot, int slotLength) {
        return HEADER_LENGTH + (long) slot * slotLength;
    }

    public static long fileLength(int slots, int slotLength) {
        return slotOffset(slots, slotLength);
    }
}
