package io.dsipanama.rtu.registry;

import io.dsipanama.rtu.admission.Task;

import java.util.BitSet;
import java.util.Objects;

/**
 * What a process asks the registry for.
 *
 * @param task        budget C, period T and deadline D, in nanoseconds
 * @param allowedCpus processors the reserve may be placed on; empty means any
 * @param name        up to 32 ASCII characters, for people (longer names are cut)
 * @param flags       {@link ReserveEntryDescriptor} flags, informational
 * @param metricsSlot the owner's slot for this reserve in its metrics file, or -1
 */
public record ReserveRequest(Task task, BitSet allowedCpus, String name, int flags, int metricsSlot) {
    public ReserveRequest {
        Objects.requireNonNull(task, "task");
        allowedCpus = allowedCpus == null ? new BitSet() : (BitSet) allowedCpus.clone();
        name = name == null ? "" : name;
    }

    @Override
    public BitSet allowedCpus() {
        return (BitSet) allowedCpus.clone();
    }
}
