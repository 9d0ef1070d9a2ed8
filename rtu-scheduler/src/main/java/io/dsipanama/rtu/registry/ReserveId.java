package io.dsipanama.rtu.registry;

/**
 * A reserve's name across processes: its registry slot and the slot's generation at admission. A server
 * given this by a client (in a request, say) can charge the client's reserve; once the reserve is released
 * and its slot reused, the generation no longer matches and the id is refused.
 *
 * @param slot       registry entry index
 * @param generation the entry's {@code slot_generation} when the reserve was admitted (>= 1)
 */
public record ReserveId(int slot, int generation) {
    public ReserveId {
        if (slot < 0 || generation < 1) {
            throw new IllegalArgumentException("bad reserve id " + slot + ":" + generation);
        }
    }

    /** Both parts in one long (slot high, generation low), for wire formats. */
    public long toLong() {
        return (long) slot << 32 | (generation & 0xffffffffL);
    }

    public static ReserveId fromLong(long value) {
        return new ReserveId((int) (value >>> 32), (int) value);
    }

    /** Parses {@code SLOT:GENERATION}, the form {@link #toString()} writes. */
    public static ReserveId parse(String text) {
        int colon = text.indexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("reserve id '" + text + "' is not SLOT:GENERATION");
        }
        return new ReserveId(Integer.parseInt(text.substring(0, colon)), Integer.parseInt(text.substring(colon + 1)));
    }

    @Override
    public String toString() {
        return slot + ":" + generation;
    }
}
