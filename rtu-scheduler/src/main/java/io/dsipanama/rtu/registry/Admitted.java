package io.dsipanama.rtu.registry;

import io.dsipanama.rtu.admission.CpuVerdict;

/**
 * A reserve the registry admitted.
 *
 * @param id       its name across processes
 * @param cpu      the processor it was placed on
 * @param priority its SCHED_FIFO priority under a fixed-priority policy when admitted (it changes as other
 *                 reserves come and go: read the entry), 0 under EDF
 * @param verdict  admission's verdict for that processor with the reserve added
 */
public record Admitted(ReserveId id, int cpu, int priority, CpuVerdict verdict) {
}
