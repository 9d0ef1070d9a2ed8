package io.dsipanama.netio;

/**
 * The counters region: {@link #CAPACITY} 64-bit slots, slot {@code i} holding the {@link NetCounter} with id
 * {@code i}; unused slots stay zero. It can live in any native segment (its own, or a shared mapping an
 * outside tool reads).
 *
 * <pre>
 * +---------+---------+-----+---------+-------------------+
 * | id 0    | id 1    | ... | id 37   | reserved (zero)   |
 * | 8 bytes | 8 bytes |     | 8 bytes | up to 1024 bytes  |
 * +---------+---------+-----+---------+-------------------+
 * </pre>
 *
 * <pre>
 * | offset  | size | field               | written by   | read by | ordering                              |
 * | 8 * id  | 8    | counter {@code id}  | ring thread  | any     | single writer: plain load, opaque store |
 * | 8 * n.. | rest | reserved            | -            | -       | -                                     |
 * </pre>
 *
 * <p>Counters are statistics, not synchronisation: a reader (opaque loads) sees each counter's values in
 * order, but no order between counters.
 */
public final class NetCountersDescriptor {
    public static final int SLOT_LENGTH = Long.BYTES;
    public static final int CAPACITY = 128;
    public static final int LENGTH = CAPACITY * SLOT_LENGTH;

    private NetCountersDescriptor() {
    }

    public static long offsetOf(NetCounter counter) {
        return (long) counter.id() * SLOT_LENGTH;
    }
}
