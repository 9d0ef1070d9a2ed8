package io.dsipanama.rtu.registry;

import io.dsipanama.ffm.support.ProcessIdentity;
import io.dsipanama.rtu.admission.Task;

import java.util.EnumMap;
import java.util.Map;

/**
 * A copy of one active registry entry, for monitors and tests.
 *
 * @param counters   the reserve's counters when copied
 * @param chargedNs  everything servers charged to it so far
 */
public record ReserveInfo(ReserveId id, ProcessIdentity owner, int cpu, Task task, int priority, int flags,
                          String name, int metricsSlot, Map<ReserveCounter, Long> counters, long chargedNs) {

    static ReserveInfo of(ReserveEntry e) {
        Map<ReserveCounter, Long> counters = new EnumMap<>(ReserveCounter.class);
        for (ReserveCounter c : ReserveCounter.values()) {
            counters.put(c, e.opaqueCounter(c));
        }
        return new ReserveInfo(e.id(), e.owner(), e.cpu(),
                Task.of(e.opaqueBudgetNs(), e.opaquePeriodNs(), e.opaqueDeadlineNs()), e.opaquePriority(), e.flags(),
                e.name(), e.metricsSlot(), Map.copyOf(counters), e.volatileChargeTotalNs());
    }

    public long counter(ReserveCounter counter) {
        return counters.get(counter);
    }
}
