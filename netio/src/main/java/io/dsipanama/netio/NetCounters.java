package io.dsipanama.netio;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.util.EnumMap;
import java.util.Map;

/**
 * The {@link NetCountersDescriptor counters region} with its accessors. One writer thread (the ring
 * owner's) calls {@link #increment}/{@link #add}; any thread may {@link #get}.
 */
public final class NetCounters implements AutoCloseable {
    private static final VarHandle SLOT = ValueLayout.JAVA_LONG.varHandle();

    private final Arena arena;
    private final MemorySegment region;

    /** Counters in a native region of their own. */
    public NetCounters() {
        this.arena = Arena.ofShared();
        this.region = arena.allocate(NetCountersDescriptor.LENGTH, 64);
    }

    /** Counters in a caller's region (e.g. a shared mapping), at least {@link NetCountersDescriptor#LENGTH}. */
    public NetCounters(MemorySegment region) {
        if (region.byteSize() < NetCountersDescriptor.LENGTH || region.address() % Long.BYTES != 0) {
            throw new IllegalArgumentException("counters need " + NetCountersDescriptor.LENGTH
                    + " 8-aligned bytes: " + region);
        }
        this.arena = null;
        this.region = region;
    }

    public void increment(NetCounter counter) {
        add(counter, 1);
    }

    public void add(NetCounter counter, long delta) {
        long at = NetCountersDescriptor.offsetOf(counter);
        // single writer: a plain load of our own last store, then opaque so readers see whole values
        SLOT.setOpaque(region, at, (long) SLOT.get(region, at) + delta);
    }

    public long get(NetCounter counter) {
        return (long) SLOT.getOpaque(region, NetCountersDescriptor.offsetOf(counter));
    }

    /** Every non-zero counter, by counter; for reports and test messages (allocates). */
    public Map<NetCounter, Long> snapshot() {
        Map<NetCounter, Long> out = new EnumMap<>(NetCounter.class);
        for (NetCounter c : NetCounter.values()) {
            long v = get(c);
            if (v != 0) {
                out.put(c, v);
            }
        }
        return out;
    }

    public MemorySegment region() {
        return region;
    }

    @Override
    public String toString() {
        return snapshot().toString();
    }

    /** Frees the region if it is our own. Idempotent. */
    @Override
    public void close() {
        if (arena != null && arena.scope().isAlive()) {
            arena.close();
        }
    }
}
