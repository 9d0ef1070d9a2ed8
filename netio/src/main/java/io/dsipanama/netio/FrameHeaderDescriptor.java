package io.dsipanama.netio;

import java.util.List;

/**
 * The wire header every netio datagram starts with: 48 bytes, all fields big-endian (network order), the
 * frame's payload bytes follow directly. A frame larger than one datagram is cut into fragments of
 * {@code fragment_stride} payload bytes (the last may be shorter); each fragment repeats the whole header
 * with its own {@code fragment_offset}, so any fragment can open a reassembly.
 *
 * <pre>
 *  0        4   5   6   7   8       12      16              24              32      36      40      44     48
 *  +--------+---+---+---+---+-------+-------+---------------+---------------+-------+-------+-------+-------+
 *  | magic  |ver|flg|pri|hln|stream |stride |   sequence    | virtual time  | frame | frag  |period |deadln |
 *  |"DSIN"  | 1 |   |0-7|48 |  id   |       |               |               |length |offset |  us   |  us   |
 *  +--------+---+---+---+---+-------+-------+---------------+---------------+-------+-------+-------+-------+
 * </pre>
 *
 * <pre>
 * | offset | size | field           | written by | read by  | meaning / check on receive                          |
 * | 0      | 4    | magic           | sender     | receiver | 0x4453494E "DSIN"; else dropped BAD_MAGIC           |
 * | 4      | 1    | version         | sender     | receiver | 1; else dropped BAD_VERSION                          |
 * | 5      | 1    | flags           | sender     | receiver | bits 0-3 application, 4-7 reserved zero (BAD_FIELD)  |
 * | 6      | 1    | priority        | sender     | receiver | class 0 (lowest) .. 7 (highest); else BAD_FIELD      |
 * | 7      | 1    | header_length   | sender     | receiver | 48 in version 1; else BAD_FIELD                      |
 * | 8      | 4    | stream_id       | sender     | receiver | the sender's stream; frames are keyed (stream, seq)  |
 * | 12     | 4    | fragment_stride | sender     | receiver | payload bytes per fragment but the last              |
 * | 16     | 8    | sequence        | sender     | receiver | frame number within the stream, +1 per frame         |
 * | 24     | 8    | virtual_time    | sender     | receiver | the frame's virtual time (stream ticks), opaque here |
 * | 32     | 4    | frame_length    | sender     | receiver | whole frame, bytes, at most 16 MiB (BAD_LENGTH)      |
 * | 36     | 4    | fragment_offset | sender     | receiver | where this payload goes; multiple of the stride      |
 * | 40     | 4    | period_us       | sender     | receiver | the stream's period, for the handler                 |
 * | 44     | 4    | deadline_us     | sender     | receiver | validity from first arrival, capped by the receiver |
 * </pre>
 *
 * <p>Ordering: none (a datagram is written whole by the sender before its send is submitted, and read by
 * the receiver after the kernel's completion). Every field is untrusted on receive: {@code UdpReceiver}
 * checks each against the table above and against the datagram's real length before it touches payload.
 */
public final class FrameHeaderDescriptor {
    public static final int MAGIC = 0x4453494E;
    public static final int VERSION = 1;
    public static final int LENGTH = 48;

    public static final int MAGIC_OFFSET = 0;
    public static final int VERSION_OFFSET = 4;
    public static final int FLAGS_OFFSET = 5;
    public static final int PRIORITY_OFFSET = 6;
    public static final int HEADER_LENGTH_OFFSET = 7;
    public static final int STREAM_ID_OFFSET = 8;
    public static final int FRAGMENT_STRIDE_OFFSET = 12;
    public static final int SEQUENCE_OFFSET = 16;
    public static final int VIRTUAL_TIME_OFFSET = 24;
    public static final int FRAME_LENGTH_OFFSET = 32;
    public static final int FRAGMENT_OFFSET_OFFSET = 36;
    public static final int PERIOD_US_OFFSET = 40;
    public static final int DEADLINE_US_OFFSET = 44;

    /** Flags the application may use; the others must be zero in version 1. */
    public static final int APPLICATION_FLAGS_MASK = 0x0f;
    public static final int PRIORITY_CLASSES = 8;
    public static final int MAX_PRIORITY = PRIORITY_CLASSES - 1;
    /** The largest frame the format carries (fits the reassembly bitmap at the smallest stride). */
    public static final int MAX_FRAME_LENGTH = 16 << 20;

    /** The table of the javadoc, as data: name, offset, size (checked by a test against the constants). */
    public record Field(String name, int offset, int size) {
    }

    public static final List<Field> FIELDS = List.of(
            new Field("magic", MAGIC_OFFSET, 4),
            new Field("version", VERSION_OFFSET, 1),
            new Field("flags", FLAGS_OFFSET, 1),
            new Field("priority", PRIORITY_OFFSET, 1),
            new Field("header_length", HEADER_LENGTH_OFFSET, 1),
            new Field("stream_id", STREAM_ID_OFFSET, 4),
            new Field("fragment_stride", FRAGMENT_STRIDE_OFFSET, 4),
            new Field("sequence", SEQUENCE_OFFSET, 8),
            new Field("virtual_time", VIRTUAL_TIME_OFFSET, 8),
            new Field("frame_length", FRAME_LENGTH_OFFSET, 4),
            new Field("fragment_offset", FRAGMENT_OFFSET_OFFSET, 4),
            new Field("period_us", PERIOD_US_OFFSET, 4),
            new Field("deadline_us", DEADLINE_US_OFFSET, 4));

    private FrameHeaderDescriptor() {
    }
}
