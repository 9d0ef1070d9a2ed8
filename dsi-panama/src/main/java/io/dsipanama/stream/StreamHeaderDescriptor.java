package io.dsipanama.stream;

import io.dsipanama.ffm.support.LayoutField;
import java.util.List;

/**
 * The layout of a stream file and of its header, the first page of the file.
 *
 * <pre>
 * stream file (every area starts on a page boundary; offsets, never addresses)
 * +---------------------------+ 0
 * | header (this class)       |   HEADER_LENGTH = 4096: identity, peers, futex words, positions, counters
 * +---------------------------+ control_offset = header_length
 * | control area              |   descriptor_count slots of PacketDescriptorDescriptor.LENGTH (64) bytes,
 * |                           |   rounded up to a page
 * +---------------------------+ data_offset = control_offset + control_length
 * | data area                 |   data_length bytes (a page multiple); packets live at offsets into it;
 * |                           |   the consumer maps it PROT_READ
 * +---------------------------+ file size = data_offset + data_length
 *
 * header (128-byte blocks keep the producer's and the consumer's hot words apart: the adjacent-line
 * prefetcher moves 64-byte lines in pairs, so 64 bytes is not enough to stop false sharing)
 * +-------------------------------+ 0
 * | identity: magic, version,     |   written once by the creator, published by the version release
 * | lengths, spec, creator        |
 * +-------------------------------+ 128
 * | producer peer  | consumer peer|   pid, start time, liveness heartbeat (64 bytes each)
 * +-------------------------------+ 256
 * | data_available futex block    |   producer signals, consumer waits
 * +-------------------------------+ 384
 * | space_available futex block   |   consumer signals, producer waits
 * +-------------------------------+ 512
 * | spool_target                  |   consumer asks the producer to skip ahead
 * +-------------------------------+ 640
 * | producer_position, drop record|   the producer's cursor and the seqlock'd totals of what it dropped
 * +-------------------------------+ 768
 * | consumer_position, attributed |   the consumer's cursor and the drop totals it has reported
 * +-------------------------------+ 1024
 * | counters                      |   StreamCountersDescriptor (128 counters of 8 bytes)
 * +-------------------------------+ 2048
 * | lock block (1.2)              |   lock_demand (any process asks), each end's lock state and the
 * |                               |   demand it honoured (see MemoryLock: unlock under a policy)
 * +-------------------------------+ 2176
 * | reserved (zero)               |
 * +-------------------------------+ 4096
 * </pre>
 *
 * <p>Table (the ordering column uses the vocabulary of {@link io.dsipanama.stream}; "any" is the creator,
 * the producer, the consumer or a monitor such as {@code StreamDirectory.list()}):
 *
 * <pre>
 * | offset | size | field | written by | read by | ordering |
 * | 0 | 8 | magic | creator | any | plain; published by the version release |
 * | 8 | 4 | version | creator | any | release store, last; openers acquire (pairs with it) |
 * | 12 | 4 | header_length | creator | any | plain; published by the version release |
 * | 16 | 8 | control_offset | creator | any | plain; published by the version release |
 * | 24 | 8 | control_length | creator | any | plain; published by the version release |
 * | 32 | 8 | data_offset | creator | any | plain; published by the version release |
 * | 40 | 8 | data_length | creator | any | plain; published by the version release |
 * | 48 | 4 | descriptor_count | creator | any | plain; published by the version release |
 * | 52 | 4 | descriptor_length | creator | any | plain; published by the version release |
 * | 56 | 4 | max_packet | creator | any | plain; published by the version release |
 * | 60 | 4 | policy | creator | any | plain; published by the version release |
 * | 64 | 4 | mode | creator | any | plain; published by the version release |
 * | 68 | 4 | flags | creator | any | plain; published by the version release |
 * | 72 | 8 | validity_ticks | creator | any | plain; published by the version release |
 * | 80 | 8 | epoch_ns | creator | any | plain; published by the version release |
 * | 88 | 8 | ns_per_tick | creator | any | plain; published by the version release |
 * | 96 | 4 | creator_pid | creator | any | plain; published by the version release |
 * | 100 | 4 | counters_offset | creator | any | plain; published by the version release |
 * | 104 | 8 | creator_start_time | creator | any | plain; published by the version release |
 * | 112 | 4 | counters_length | creator | any | plain; published by the version release |
 * | 116 | 12 | pad_identity | - | - | - |
 * | 128 | 4 | producer_pid | producer | any | release (after start time); readers acquire |
 * | 132 | 4 | pad_producer_pid | - | - | - |
 * | 136 | 8 | producer_start_time | producer | any | plain; published by the producer_pid release |
 * | 144 | 8 | producer_liveness | producer | any | opaque heartbeat, CLOCK_MONOTONIC ns |
 * | 152 | 40 | pad_producer_peer | - | - | - |
 * | 192 | 4 | consumer_pid | consumer | any | release (after start time); readers acquire |
 * | 196 | 4 | pad_consumer_pid | - | - | - |
 * | 200 | 8 | consumer_start_time | consumer | any | plain; published by the consumer_pid release |
 * | 208 | 8 | consumer_liveness | consumer | any | opaque heartbeat, CLOCK_MONOTONIC ns |
 * | 216 | 40 | pad_consumer_peer | - | - | - |
 * | 256 | 4 | data_available | producer | consumer | futex word: release increment, then wake; consumer acquire, then wait |
 * | 260 | 4 | data_waiters | consumer | producer | volatile: consumer sets before waiting; producer reads after increment |
 * | 264 | 120 | pad_data_available | - | - | - |
 * | 384 | 4 | space_available | consumer | producer | futex word: release increment, then wake; producer acquire, then wait |
 * | 388 | 4 | space_waiters | producer | consumer | volatile: producer sets before waiting; consumer reads after increment |
 * | 392 | 120 | pad_space_available | - | - | - |
 * | 512 | 8 | spool_target | consumer | producer | release; producer acquire (virtual time to skip to) |
 * | 520 | 120 | pad_spool_target | - | - | - |
 * | 640 | 8 | producer_position | producer | any | release after the slot; readers acquire (monitors, a re-attaching producer) |
 * | 648 | 8 | drop_record_sequence | producer | consumer | seqlock over free_position..missing_dropped_total and reclaimed_total: odd while written, release store when even; consumer acquire, re-check after |
 * | 656 | 8 | free_position | producer | consumer | inside the drop record; every position below it is released or dropped |
 * | 664 | 8 | dropped_oldest_total | producer | consumer | inside the drop record; positions below free_position dropped by DROP_OLDEST |
 * | 672 | 8 | expired_total | producer | consumer | inside the drop record; positions below free_position dropped as expired |
 * | 680 | 8 | dropped_newest_total | producer | consumer | inside the drop record; packets refused by DROP_NEWEST before free_position |
 * | 688 | 8 | missing_dropped_total | producer | consumer | inside the drop record; MISSING markers below free_position dropped unseen |
 * | 696 | 8 | alloc_head | producer | any | opaque; data-area byte position after the newest allocation |
 * | 704 | 8 | last_virtual_time | producer | any | opaque; virtual time of the newest commit |
 * | 712 | 8 | reclaimed_total | producer | consumer | inside the drop record; positions below free_position reclaimed before the consumer took them |
 * | 720 | 48 | pad_producer_position | - | - | - |
 * | 768 | 8 | consumer_position | consumer | any | release after passing a position; readers acquire |
 * | 776 | 8 | attributed_oldest | consumer | consumer | opaque; drop-record totals this consumer has already reported (read on re-attach) |
 * | 784 | 8 | attributed_expired | consumer | consumer | opaque; as attributed_oldest |
 * | 792 | 8 | attributed_newest | consumer | consumer | opaque; as attributed_oldest |
 * | 800 | 8 | attributed_missing | consumer | consumer | opaque; as attributed_oldest |
 * | 808 | 8 | attributed_reclaimed | consumer | consumer | opaque; as attributed_oldest |
 * | 816 | 4 | fault_watch | consumer | any | opaque; how the consumer learns of revocations: 0 generation checks only, 1 userfaultfd MISSING, 2 userfaultfd MINOR and MISSING |
 * | 820 | 204 | pad_consumer_position | - | - | - |
 * | 1024 | 1024 | counters | producer or consumer, one writer per counter | any | opaque; see StreamCountersDescriptor |
 * | 2048 | 8 | lock_demand | any (a resource manager) | producer, consumer | atomic getAndAdd(1) by the requester; each end loads it opaque (a plain load on x86) and compares it with the value it last honoured |
 * | 2056 | 4 | producer_lock | producer | any | release after mlock/munlock returned (0 none, 1 locked, 2 demoted); readers acquire, then read producer_lock_honoured |
 * | 2060 | 4 | consumer_lock | consumer | any | as producer_lock |
 * | 2064 | 8 | producer_lock_honoured | producer | any | plain, before the producer_lock release: the lock_demand value the producer last answered |
 * | 2072 | 8 | consumer_lock_honoured | consumer | any | as producer_lock_honoured |
 * | 2080 | 96 | pad_lock | - | - | - |
 * | 2176 | 1920 | reserved | - | - | - |
 * </pre>
 *
 * <p>{@code version} is {@code major << 16 | minor}. A reader refuses another major version; a newer minor
 * only adds fields in what is reserved here. 0 means "not published yet": the creator is still
 * initialising, or died doing so.
 */
public final class StreamHeaderDescriptor {
    /** "DSI-STRM" read as a little-endian long. */
    public static final long MAGIC = 0x4D5254532D495344L;
    public static final int VERSION_MAJOR = 1;
    /** 1.2 added the lock block (2048..2175); a 1.1 file reads zeros there: no end locked, nothing asked. */
    public static final int VERSION_MINOR = 2;
    public static final int VERSION = VERSION_MAJOR << 16 | VERSION_MINOR;

    public static final int CACHE_LINE = 64;
    /** Distance between words written by different parties (two cache lines, see the class comment). */
    public static final int FALSE_SHARING_BLOCK = 2 * CACHE_LINE;
    public static final int LENGTH = 4096;

    public static final int MAGIC_OFFSET = 0;
    public static final int VERSION_OFFSET = 8;
    public static final int HEADER_LENGTH_OFFSET = 12;
    public static final int CONTROL_OFFSET_OFFSET = 16;
    public static final int CONTROL_LENGTH_OFFSET = 24;
    public static final int DATA_OFFSET_OFFSET = 32;
    public static final int DATA_LENGTH_OFFSET = 40;
    public static final int DESCRIPTOR_COUNT_OFFSET = 48;
    public static final int DESCRIPTOR_LENGTH_OFFSET = 52;
    public static final int MAX_PACKET_OFFSET = 56;
    public static final int POLICY_OFFSET = 60;
    public static final int MODE_OFFSET = 64;
    public static final int FLAGS_OFFSET = 68;
    public static final int VALIDITY_TICKS_OFFSET = 72;
    public static final int EPOCH_NS_OFFSET = 80;
    public static final int NS_PER_TICK_OFFSET = 88;
    public static final int CREATOR_PID_OFFSET = 96;
    public static final int COUNTERS_OFFSET_OFFSET = 100;
    public static final int CREATOR_START_TIME_OFFSET = 104;
    public static final int COUNTERS_LENGTH_OFFSET = 112;

    public static final int PRODUCER_PEER_OFFSET = 128;
    public static final int CONSUMER_PEER_OFFSET = 192;
    /** Within a peer block: pid, start time, liveness. */
    public static final int PEER_PID = 0;
    public static final int PEER_START_TIME = 8;
    public static final int PEER_LIVENESS = 16;
    public static final int PRODUCER_PID_OFFSET = PRODUCER_PEER_OFFSET + PEER_PID;
    public static final int PRODUCER_START_TIME_OFFSET = PRODUCER_PEER_OFFSET + PEER_START_TIME;
    public static final int PRODUCER_LIVENESS_OFFSET = PRODUCER_PEER_OFFSET + PEER_LIVENESS;
    public static final int CONSUMER_PID_OFFSET = CONSUMER_PEER_OFFSET + PEER_PID;
    public static final int CONSUMER_START_TIME_OFFSET = CONSUMER_PEER_OFFSET + PEER_START_TIME;
    public static final int CONSUMER_LIVENESS_OFFSET = CONSUMER_PEER_OFFSET + PEER_LIVENESS;

    public static final int DATA_AVAILABLE_OFFSET = 256;
    public static final int DATA_WAITERS_OFFSET = DATA_AVAILABLE_OFFSET + 4;
    public static final int SPACE_AVAILABLE_OFFSET = DATA_AVAILABLE_OFFSET + FALSE_SHARING_BLOCK;
    public static final int SPACE_WAITERS_OFFSET = SPACE_AVAILABLE_OFFSET + 4;
    public static final int SPOOL_TARGET_OFFSET = SPACE_AVAILABLE_OFFSET + FALSE_SHARING_BLOCK;
    public static final int PRODUCER_POSITION_OFFSET = SPOOL_TARGET_OFFSET + FALSE_SHARING_BLOCK;
    public static final int DROP_RECORD_SEQUENCE_OFFSET = PRODUCER_POSITION_OFFSET + 8;
    public static final int FREE_POSITION_OFFSET = PRODUCER_POSITION_OFFSET + 16;
    public static final int DROPPED_OLDEST_TOTAL_OFFSET = PRODUCER_POSITION_OFFSET + 24;
    public static final int EXPIRED_TOTAL_OFFSET = PRODUCER_POSITION_OFFSET + 32;
    public static final int DROPPED_NEWEST_TOTAL_OFFSET = PRODUCER_POSITION_OFFSET + 40;
    public static final int MISSING_DROPPED_TOTAL_OFFSET = PRODUCER_POSITION_OFFSET + 48;
    public static final int ALLOC_HEAD_OFFSET = PRODUCER_POSITION_OFFSET + 56;
    public static final int LAST_VIRTUAL_TIME_OFFSET = PRODUCER_POSITION_OFFSET + 64;
    public static final int RECLAIMED_TOTAL_OFFSET = PRODUCER_POSITION_OFFSET + 72;
    public static final int CONSUMER_POSITION_OFFSET = PRODUCER_POSITION_OFFSET + FALSE_SHARING_BLOCK;
    public static final int ATTRIBUTED_OLDEST_OFFSET = CONSUMER_POSITION_OFFSET + 8;
    public static final int ATTRIBUTED_EXPIRED_OFFSET = CONSUMER_POSITION_OFFSET + 16;
    public static final int ATTRIBUTED_NEWEST_OFFSET = CONSUMER_POSITION_OFFSET + 24;
    public static final int ATTRIBUTED_MISSING_OFFSET = CONSUMER_POSITION_OFFSET + 32;
    public static final int ATTRIBUTED_RECLAIMED_OFFSET = CONSUMER_POSITION_OFFSET + 40;
    public static final int FAULT_WATCH_OFFSET = CONSUMER_POSITION_OFFSET + 48;
    public static final int COUNTERS_OFFSET = 1024;
    public static final int COUNTERS_LENGTH = StreamCountersDescriptor.LENGTH;
    public static final int LOCK_DEMAND_OFFSET = 2048;
    public static final int PRODUCER_LOCK_OFFSET = 2056;
    public static final int CONSUMER_LOCK_OFFSET = 2060;
    public static final int PRODUCER_LOCK_HONOURED_OFFSET = 2064;
    public static final int CONSUMER_LOCK_HONOURED_OFFSET = 2072;

    /** {@code flags} bit: the mappings are mlock(2)ed. */
    public static final int FLAG_LOCK_IN_MEMORY = 1;
    public static final int KNOWN_FLAGS = FLAG_LOCK_IN_MEMORY;

    /** The table above, row by row; {@code StreamLayoutTablesTest} checks both against the constants. */
    public static final List<LayoutField> FIELDS = List.of(
            new LayoutField(0, 8, "magic", "creator", "any", "plain; published by the version release"),
            new LayoutField(8, 4, "version", "creator", "any", "release store, last; openers acquire (pairs with it)"),
            new LayoutField(12, 4, "header_length", "creator", "any", "plain; published by the version release"),
            new LayoutField(16, 8, "control_offset", "creator", "any", "plain; published by the version release"),
            new LayoutField(24, 8, "control_length", "creator", "any", "plain; published by the version release"),
            new LayoutField(32, 8, "data_offset", "creator", "any", "plain; published by the version release"),
            new LayoutField(40, 8, "data_length", "creator", "any", "plain; published by the version release"),
            new LayoutField(48, 4, "descriptor_count", "creator", "any", "plain; published by the version release"),
            new LayoutField(52, 4, "descriptor_length", "creator", "any", "plain; published by the version release"),
            new LayoutField(56, 4, "max_packet", "creator", "any", "plain; published by the version release"),
            new LayoutField(60, 4, "policy", "creator", "any", "plain; published by the version release"),
            new LayoutField(64, 4, "mode", "creator", "any", "plain; published by the version release"),
            new LayoutField(68, 4, "flags", "creator", "any", "plain; published by the version release"),
            new LayoutField(72, 8, "validity_ticks", "creator", "any", "plain; published by the version release"),
            new LayoutField(80, 8, "epoch_ns", "creator", "any", "plain; published by the version release"),
            new LayoutField(88, 8, "ns_per_tick", "creator", "any", "plain; published by the version release"),
            new LayoutField(96, 4, "creator_pid", "creator", "any", "plain; published by the version release"),
            new LayoutField(100, 4, "counters_offset", "creator", "any", "plain; published by the version release"),
            new LayoutField(104, 8, "creator_start_time", "creator", "any", "plain; published by the version release"),
            new LayoutField(112, 4, "counters_length", "creator", "any", "plain; published by the version release"),
            new LayoutField(116, 12, "pad_identity", "-", "-", "-"),
            new LayoutField(128, 4, "producer_pid", "producer", "any", "release (after start time); readers acquire"),
            new LayoutField(132, 4, "pad_producer_pid", "-", "-", "-"),
            new LayoutField(136, 8, "producer_start_time", "producer", "any", "plain; published by the producer_pid release"),
            new LayoutField(144, 8, "producer_liveness", "producer", "any", "opaque heartbeat, CLOCK_MONOTONIC ns"),
            new LayoutField(152, 40, "pad_producer_peer", "-", "-", "-"),
            new LayoutField(192, 4, "consumer_pid", "consumer", "any", "release (after start time); readers acquire"),
            new LayoutField(196, 4, "pad_consumer_pid", "-", "-", "-"),
            new LayoutField(200, 8, "consumer_start_time", "consumer", "any", "plain; published by the consumer_pid release"),
            new LayoutField(208, 8, "consumer_liveness", "consumer", "any", "opaque heartbeat, CLOCK_MONOTONIC ns"),
            new LayoutField(216, 40, "pad_consumer_peer", "-", "-", "-"),
            new LayoutField(256, 4, "data_available", "producer", "consumer", "futex word: release increment, then wake; consumer acquire, then wait"),
            new LayoutField(260, 4, "data_waiters", "consumer", "producer", "volatile: consumer sets before waiting; producer reads after increment"),
            new LayoutField(264, 120, "pad_data_available", "-", "-", "-"),
            new LayoutField(384, 4, "space_available", "consumer", "producer", "futex word: release increment, then wake; producer acquire, then wait"),
            new LayoutField(388, 4, "space_waiters", "producer", "consumer", "volatile: producer sets before waiting; consumer reads after increment"),
            new LayoutField(392, 120, "pad_space_available", "-", "-", "-"),
            new LayoutField(512, 8, "spool_target", "consumer", "producer", "release; producer acquire (virtual time to skip to)"),
            new LayoutField(520, 120, "pad_spool_target", "-", "-", "-"),
            new LayoutField(640, 8, "producer_position", "producer", "any", "release after the slot; readers acquire (monitors, a re-attaching producer)"),
            new LayoutField(648, 8, "drop_record_sequence", "producer", "consumer", "seqlock over free_position..missing_dropped_total and reclaimed_total: odd while written, release store when even; consumer acquire, re-check after"),
            new LayoutField(656, 8, "free_position", "producer", "consumer", "inside the drop record; every position below it is released or dropped"),
            new LayoutField(664, 8, "dropped_oldest_total", "producer", "consumer", "inside the drop record; positions below free_position dropped by DROP_OLDEST"),
            new LayoutField(672, 8, "expired_total", "producer", "consumer", "inside the drop record; positions below free_position dropped as expired"),
            new LayoutField(680, 8, "dropped_newest_total", "producer", "consumer", "inside the drop record; packets refused by DROP_NEWEST before free_position"),
            new LayoutField(688, 8, "missing_dropped_total", "producer", "consumer", "inside the drop record; MISSING markers below free_position dropped unseen"),
            new LayoutField(696, 8, "alloc_head", "producer", "any", "opaque; data-area byte position after the newest allocation"),
            new LayoutField(704, 8, "last_virtual_time", "producer", "any", "opaque; virtual time of the newest commit"),
            new LayoutField(712, 8, "reclaimed_total", "producer", "consumer", "inside the drop record; positions below free_position reclaimed before the consumer took them"),
            new LayoutField(720, 48, "pad_producer_position", "-", "-", "-"),
            new LayoutField(768, 8, "consumer_position", "consumer", "any", "release after passing a position; readers acquire"),
            new LayoutField(776, 8, "attributed_oldest", "consumer", "consumer", "opaque; drop-record totals this consumer has already reported (read on re-attach)"),
            new LayoutField(784, 8, "attributed_expired", "consumer", "consumer", "opaque; as attributed_oldest"),
            new LayoutField(792, 8, "attributed_newest", "consumer", "consumer", "opaque; as attributed_oldest"),
            new LayoutField(800, 8, "attributed_missing", "consumer", "consumer", "opaque; as attributed_oldest"),
            new LayoutField(808, 8, "attributed_reclaimed", "consumer", "consumer", "opaque; as attributed_oldest"),
            new LayoutField(816, 4, "fault_watch", "consumer", "any", "opaque; how the consumer learns of revocations: 0 generation checks only, 1 userfaultfd MISSING, 2 userfaultfd MINOR and MISSING"),
            new LayoutField(820, 204, "pad_consumer_position", "-", "-", "-"),
            new LayoutField(1024, 1024, "counters", "producer or consumer, one writer per counter", "any", "opaque; see StreamCountersDescriptor"),
            new LayoutField(2048, 8, "lock_demand", "any (a resource manager)", "producer, consumer", "atomic getAndAdd(1) by the requester; each end loads it opaque (a plain load on x86) and compares it with the value it last honoured"),
            new LayoutField(2056, 4, "producer_lock", "producer", "any", "release after mlock/munlock returned (0 none, 1 locked, 2 demoted); readers acquire, then read producer_lock_honoured"),
            new LayoutField(2060, 4, "consumer_lock", "consumer", "any", "as producer_lock"),
            new LayoutField(2064, 8, "producer_lock_honoured", "producer", "any", "plain, before the producer_lock release: the lock_demand value the producer last answered"),
            new LayoutField(2072, 8, "consumer_lock_honoured", "consumer", "any", "as producer_lock_honoured"),
            new LayoutField(2080, 96, "pad_lock", "-", "-", "-"),
            new LayoutField(2176, 1920, "reserved", "-", "-", "-"));

    private StreamHeaderDescriptor() {
    }

    public static int versionMajor(int version) {
        return version >>> 16;
    }

    public static int versionMinor(int version) {
        return version & 0xFFFF;
    }

    public static String versionString(int version) {
        return versionMajor(version) + "." + versionMinor(version);
    }

    /** Bytes of control area for {@code descriptorCount} slots: whole pages, so the data area is page-aligned. */
    public static long controlLength(int descriptorCount, long pageSize) {
        return roundUp((long) descriptorCount * PacketDescriptorDescriptor.LENGTH, pageSize);
    }

    /** The size of a stream file: header, control area, data area. */
    public static long fileLength(int descriptorCount, long dataLength, long pageSize) {
        return LENGTH + controlLength(descriptorCount, pageSize) + dataLength;
    }

    static long roundUp(long value, long multiple) {
        return (value + multiple - 1) / multiple * multiple;
    }
}
