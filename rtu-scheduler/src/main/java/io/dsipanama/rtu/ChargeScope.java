package io.dsipanama.rtu;

import io.dsipanama.ffm.Time;
import io.dsipanama.rtu.registry.ReserveEntry;
import io.dsipanama.rtu.registry.ReserveId;

/**
 * CPU time a server spends on behalf of a client, charged to the client's reserve (Mercer §4.2: "reserves
 * have to be passed among servers"): opened with the client's reserve id, it reads the calling thread's CPU
 * clock; {@link #close()} reads it again and adds the difference to the client's charge account in the
 * shared registry, in whichever process the client lives. Inside an upcall ({@link UpcallContext#chargeTo})
 * that time is also taken off the server's own reserve, which did not pay for it.
 *
 * <p>One scope per thread, reused: opening allocates nothing (the id may be given as two ints), so a server
 * upcall can charge every request. Scopes do not nest.
 *
 * <p><b>Threading.</b> Confined to the thread that opens it.
 */
public final class ChargeScope implements AutoCloseable {
    private final ReserveEntry view;
    private final int capacity;
    private UpcallContext owner;
    private int slot = -1;
    private int generation;
    private long startCpuNs;
    private long lastChargedNs;
    private boolean lastCharged;

    ChargeScope(ReserveEntry view, int capacity) {
        this.view = view;
        this.capacity = capacity;
    }

    ChargeScope open(int clientSlot, int clientGeneration, UpcallContext context) {
        if (slot >= 0) {
            throw new IllegalStateException("charge scopes do not nest: still charging " + slot + ":" + generation);
        }
        slot = clientSlot < 0 ? Integer.MAX_VALUE : clientSlot; // an id off the wire is untrusted: checked at close
        generation = clientGeneration;
        owner = context;
        startCpuNs = Time.clock_gettime(Time.CLOCK_THREAD_CPUTIME_ID);
        return this;
    }

    /** Opens the scope for client {@code client}. */
    public ChargeScope open(ReserveId client) {
        return open(client.slot(), client.generation(), null);
    }

    /**
     * Charges the CPU time since {@link #open}; charges nothing (see {@link #lastCharged()}) if the client's
     * reserve is gone or the id never named one.
     */
    @Override
    public void close() {
        if (slot < 0) {
            return;
        }
        long usedNs = Math.max(0, Time.clock_gettime(Time.CLOCK_THREAD_CPUTIME_ID) - startCpuNs);
        // acquire of the entry's state: the generation compared is the one its activation published
        lastCharged = slot < capacity && view.wrap(slot).acquireState()
                == io.dsipanama.rtu.registry.ReserveEntryDescriptor.STATE_ACTIVE && view.slotGeneration() == generation;
        if (lastCharged) {
            view.charge(usedNs);
        }
        lastChargedNs = usedNs;
        if (owner != null) {
            owner.chargedAway(usedNs);
        }
        slot = -1;
        owner = null;
    }

    /** CPU time the last closed scope measured. */
    public long lastChargedNs() {
        return lastChargedNs;
    }

    /** Whether the last closed scope found its client and charged it. */
    public boolean lastCharged() {
        return lastCharged;
    }
}
