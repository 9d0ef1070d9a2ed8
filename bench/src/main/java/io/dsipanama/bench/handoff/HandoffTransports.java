package io.dsipanama.bench.handoff;

import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The transports the benchmarks and the harness know by name, and the sizing rule they share. Adding a
 * subject is one line in {@link #ALL}.
 */
public final class HandoffTransports {
    /** Smallest window any transport gets: 64 KiB. */
    public static final int MIN_WINDOW_BYTES = 64 * 1024;
    /** Packets of the largest size that must fit in the window at once. */
    public static final int PACKETS_IN_FLIGHT = 8;

    private static final Map<String, Supplier<HandoffTransport>> ALL = Map.of(
            "agrona", AgronaTransport::new,
            "aeron", AeronTransport::new,
            "dsi", DsiTransport::new);

    private HandoffTransports() {
    }

    public static HandoffTransport byName(String name) {
        Supplier<HandoffTransport> factory = ALL.get(name);
        if (factory == null) {
            throw new IllegalArgumentException("unknown transport '" + name + "'; known: " + names());
        }
        return factory.get();
    }

    public static List<String> names() {
        return ALL.keySet().stream().sorted().toList();
    }

    /**
     * How many bytes a transport may hold in flight (produced, not yet consumed) for packets that take
     * {@code framedPacketBytes} each in its memory (payload plus the transport's own headers):
     * {@link #PACKETS_IN_FLIGHT} of them, rounded up to a power of two, at least {@link #MIN_WINDOW_BYTES}.
     * The same rule for every subject, so none wins by buffering more.
     */
    public static int windowBytes(long framedPacketBytes) {
        long wanted = Math.max(MIN_WINDOW_BYTES, framedPacketBytes * PACKETS_IN_FLIGHT);
        if (wanted > (1 << 30)) {
            throw new IllegalArgumentException("packets of " + framedPacketBytes + " B need a window over 1 GiB");
        }
        return Integer.highestOneBit((int) wanted - 1) << 1;
    }
}
