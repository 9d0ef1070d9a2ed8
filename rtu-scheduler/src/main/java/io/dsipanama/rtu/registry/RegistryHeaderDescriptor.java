package io.dsipanama.rtu.registry;

import io.dsipanama.ffm.support.LayoutField;
import java.util.ArrayList;
import java.util.List;

/**
 * The layout of the reserve registry file (the "bulletin board" every process admits its reserves
 * through) and of its header, the first page.
 *
 * <pre>
 * registry file
 * +----------------------------+ 0
 * | header (this class)        |   HEADER_LENGTH = 4096: identity, generation, counters
 * +----------------------------+ 4096
 * | entry 0                    |   ReserveEntryDescriptor.LENGTH (256) bytes each
 * | entry 1                    |
 * | ...                        |
 * | entry capacity-1           |
 * +----------------------------+ file size = 4096 + capacity * 256
 *
 * header
 * +----------------------------+ 0
 * | identity: magic, version,  |   written once by the creator, published by the version release
 * | lengths, configuration     |
 * +----------------------------+ 128
 * | generation, admission_seq  |   changed under the registry lock
 * +----------------------------+ 256
 * | counters (RegistryCounter) |   32 slots of 8 bytes
 * +----------------------------+ 512
 * | reserved (zero)            |
 * +----------------------------+ 4096
 * </pre>
 *
 * <pre>
 * | offset | size | field | written by | read by | ordering |
 * | 0 | 8 | magic | creator | any | plain; published by the version release |
 * | 8 | 4 | version | creator | any | release store, last; openers acquire (pairs with it) |
 * | 12 | 4 | header_length | creator | any | plain; published by the version release |
 * | 16 | 4 | entry_length | creator | any | plain; published by the version release |
 * | 20 | 4 | capacity | creator | any | plain; published by the version release |
 * | 24 | 4 | cpus | creator | any | plain; published by the version release |
 * | 28 | 4 | policy | creator | any | plain; published by the version release |
 * | 32 | 4 | placement | creator | any | plain; published by the version release |
 * | 36 | 4 | fifo_priority_top | creator | any | plain; published by the version release |
 * | 40 | 4 | fifo_priority_bottom | creator | any | plain; published by the version release |
 * | 44 | 4 | creator_pid | creator | any | plain; published by the version release |
 * | 48 | 8 | creator_start_time | creator | any | plain; published by the version release |
 * | 56 | 72 | pad_identity | - | - | - |
 * | 128 | 8 | generation | lock holder | any | release store after each change made under the lock; readers acquire (pairs with it) |
 * | 136 | 8 | admission_seq | lock holder | lock holder | plain, under the lock |
 * | 144 | 112 | pad_generation | - | - | - |
 * | 256 | 8 | admissions | lock holder | any | opaque, one writer at a time (the lock holder) |
 * | 264 | 8 | rejections | lock holder | any | opaque, one writer at a time (the lock holder) |
 * | 272 | 8 | modifications | lock holder | any | opaque, one writer at a time (the lock holder) |
 * | 280 | 8 | modification_rejections | lock holder | any | opaque, one writer at a time (the lock holder) |
 * | 288 | 8 | releases | lock holder | any | opaque, one writer at a time (the lock holder) |
 * | 296 | 8 | reclaimed | lock holder | any | opaque, one writer at a time (the lock holder) |
 * | 304 | 208 | pad_counters | - | - | - |
 * | 512 | 3584 | reserved | - | - | - |
 * </pre>
 *
 * <p>"lock holder" is whichever process holds the registry lock (an in-process lock plus flock(2) on the
 * file, which the kernel drops when its holder dies, so a killed process cannot leave it held). Readers
 * that do not take the lock (monitors, virtual processors polling {@code generation}) see each field
 * atomically but may see an admission half-way; {@code generation} is bumped last, with release, so a
 * reader that acquires it sees every field of the change it announces.
 *
 * <p>{@code version} is {@code major << 16 | minor}. A reader refuses another major version. The creator
 * writes the whole file under a temporary name and links it into place (link(2) fails if the name exists),
 * so an opener never sees a half-made registry; the version is still written last, with release.
 */
public final class RegistryHeaderDescriptor {
    /** "DSI-RTUR" read as a little-endian long. */
    public static final long MAGIC = 0x525554522D495344L;
    public static final int VERSION_MAJOR = 1;
    public static final int VERSION_MINOR = 0;
    public static final int VERSION = VERSION_MAJOR << 16 | VERSION_MINOR;
    public static final int LENGTH = 4096;

    public static final int MAGIC_OFFSET = 0;
    public static final int VERSION_OFFSET = 8;
    public static final int HEADER_LENGTH_OFFSET = 12;
    public static final int ENTRY_LENGTH_OFFSET = 16;
    public static final int CAPACITY_OFFSET = 20;
    public static final int CPUS_OFFSET = 24;
    public static final int POLICY_OFFSET = 28;
    public static final int PLACEMENT_OFFSET = 32;
    public static final int FIFO_PRIORITY_TOP_OFFSET = 36;
    public static final int FIFO_PRIORITY_BOTTOM_OFFSET = 40;
    public static final int CREATOR_PID_OFFSET = 44;
    public static final int CREATOR_START_TIME_OFFSET = 48;
    public static final int GENERATION_OFFSET = 128;
    public static final int ADMISSION_SEQ_OFFSET = 136;
    public static final int COUNTERS_OFFSET = 256;
    public static final int COUNTERS_CAPACITY = 32;
    public static final int RESERVED_OFFSET = COUNTERS_OFFSET + COUNTERS_CAPACITY * Long.BYTES;

    /** The table above, row by row; {@code RegistryLayoutTest} checks it against the constants and the javadoc. */
    public static final List<LayoutField> FIELDS = fields();

    private RegistryHeaderDescriptor() {
    }

    public static int versionMajor(int version) {
        return version >>> 16;
    }

    public static String versionString(int version) {
        return (version >>> 16) + "." + (version & 0xffff);
    }

    /** Where entry {@code slot} starts in the file. */
    public static long entryOffset(int slot) {
        return LENGTH + (long) slot * ReserveEntryDescriptor.LENGTH;
    }

    /** The file size for {@code capacity} entries. */
    public static long fileLength(int capacity) {
        return entryOffset(capacity);
    }

    private static List<LayoutField> fields() {
        List<LayoutField> rows = new ArrayList<>(List.of(
            new LayoutField(0, 8, "magic", "creator", "any", "plain; published by the version release"),
            new LayoutField(8, 4, "version", "creator", "any", "release store, last; openers acquire (pairs with it)"),
            new LayoutField(12, 4, "header_length", "creator", "any", "plain; published by the version release"),
            new LayoutField(16, 4, "entry_length", "creator", "any", "plain; published by the version release"),
            new LayoutField(20, 4, "capacity", "creator", "any", "plain; published by the version release"),
            new LayoutField(24, 4, "cpus", "creator", "any", "plain; published by the version release"),
            new LayoutField(28, 4, "policy", "creator", "any", "plain; published by the version release"),
            new LayoutField(32, 4, "placement", "creator", "any", "plain; published by the version release"),
            new LayoutField(36, 4, "fifo_priority_top", "creator", "any", "plain; published by the version release"),
            new LayoutField(40, 4, "fifo_priority_bottom", "creator", "any", "plain; published by the version release"),
            new LayoutField(44, 4, "creator_pid", "creator", "any", "plain; published by the version release"),
            new LayoutField(48, 8, "creator_start_time", "creator", "any", "plain; published by the version release"),
            new LayoutField(56, 72, "pad_identity", "-", "-", "-"),
            new LayoutField(128, 8, "generation", "lock holder", "any", "release store after each change made under the lock; readers acquire (pairs with it)"),
            new LayoutField(136, 8, "admission_seq", "lock holder", "lock holder", "plain, under the lock"),
            new LayoutField(144, 112, "pad_generation", "-", "-", "-")));
        int end = COUNTERS_OFFSET;
        for (RegistryCounter c : RegistryCounter.values()) {
            rows.add(new LayoutField(c.offset(), Long.BYTES, c.label(), "lock holder", "any",
                    "opaque, one writer at a time (the lock holder)"));
            end = Math.max(end, c.offset() + Long.BYTES);
        }
        rows.add(new LayoutField(end, RESERVED_OFFSET - end, "pad_counters", "-", "-", "-"));
        rows.add(new LayoutField(RESERVED_OFFSET, LENGTH - RESERVED_OFFSET, "reserved", "-", "-", "-"));
        return List.copyOf(rows);
    }
}
