package io.dsipanama.netio.stream;

import java.util.List;

import io.dsipanama.netio.FrameHeaderDescriptor;

/**
 * How a DSI stream travels in netio frames ({@link FrameHeaderDescriptor}, version 1, unchanged): one stream
 * packet is one frame, and the header fields carry the stream's state as below. Only the four application
 * flag bits are given a meaning here, so the netio wire format and its version stay as they are.
 *
 * <pre>
 * | header field | stream frame (data)                                   | end frame (FLAG_END)                 |
 * | stream_id    | the sender's stream id (default: hash of the name)    | same                                 |
 * | sequence     | the packet's position as the sending consumer saw it: | packets sent + every loss the sending |
 * |              | packets before it + losses reported before it, so a   | consumer reported, i.e. the position  |
 * |              | local loss of n packets is a sequence gap of n        | after the last packet                |
 * | virtual_time | the packet's virtual time (stream ticks), unchanged   | the last packet's virtual time       |
 * | flags        | bit 1 FLAG_UPSTREAM_LOSS: the gap before this frame   | bit 0 FLAG_END                       |
 * |              | holds losses the sending consumer reported            |                                      |
 * | deadline_us  | the packet's remaining validity at sending, us, for   | 0                                    |
 * |              | REAL_TIME streams (0: unbounded or not real time)     |                                      |
 * | period_us    | 0 (not used)                                          | 0                                    |
 * | payload      | the packet's bytes, sent from the stream's data area  | END_LENGTH bytes, table below        |
 * </pre>
 *
 * <p>End frame payload (big-endian): the sender's totals, so the receiver can split what was lost upstream
 * (by DSI loss reason) from what the network lost.
 *
 * <pre>
 * | offset        | size | field                                                                  |
 * | 0             | 8    | packets sent                                                           |
 * | 8             | 8    | payload bytes sent                                                     |
 * | 16 + 8 * i    | 8    | losses the sending consumer reported for io.dsipanama.stream.LossReason|
 * |               |      | of ordinal i (OVERFLOW, EXPIRED, MISSING, SKIPPED, REVOKED, CORRUPT)   |
 * </pre>
 */
public final class StreamFrameDescriptor {
    /** This frame ends the stream; its payload is the end record. */
    public static final int FLAG_END = 0x1;
    /** The sequence gap just before this frame includes losses reported by the sending consumer. */
    public static final int FLAG_UPSTREAM_LOSS = 0x2;

    public static final int END_PACKETS_OFFSET = 0;
    public static final int END_BYTES_OFFSET = 8;
    public static final int END_LOST_OFFSET = 16;
    public static final int END_REASONS = io.dsipanama.stream.LossReason.values().length;
    public static final int END_LENGTH = END_LOST_OFFSET + 8 * END_REASONS;

    /** The end record's table, as data (checked by a test against the constants). */
    public static final List<FrameHeaderDescriptor.Field> END_FIELDS = List.of(
            new FrameHeaderDescriptor.Field("packets", END_PACKETS_OFFSET, 8),
            new FrameHeaderDescriptor.Field("bytes", END_BYTES_OFFSET, 8),
            new FrameHeaderDescriptor.Field("lost_by_reason", END_LOST_OFFSET, 8 * END_REASONS));

    /** The default stream id of a stream name: a non-negative hash, the same on both hosts. */
    public static int streamId(String name) {
        return name.hashCode() & 0x7fffffff;
    }

    private StreamFrameDescriptor() {
    }
}
