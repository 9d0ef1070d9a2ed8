package io.dsipanama.rtu;

import io.dsipanama.rtu.admission.Task;

import java.util.BitSet;

/**
 * A processor capacity reserve as asked for: {@code budgetNs} of CPU time in every {@code periodNs}, each
 * job due {@code deadlineNs} after its release ({@code deadlineNs <= periodNs}), optionally tied to a set of
 * CPUs, with a policy for overruns.
 *
 * @param name         for people (metrics, reports); up to 32 ASCII characters are stored
 * @param budgetNs     C, > 0
 * @param periodNs     T, > 0
 * @param deadlineNs   D, 0 < D <= T
 * @param cpus         CPUs the reserve may be placed on; empty means any CPU of the scheduler
 * @param overrun      what happens when a period's CPU use exceeds the budget
 */
public record ReserveSpec(String name, long budgetNs, long periodNs, long deadlineNs, BitSet cpus, OverrunPolicy overrun) {
    public ReserveSpec {
        name = name == null ? "" : name;
        cpus = cpus == null ? new BitSet() : (BitSet) cpus.clone();
        if (overrun == null) {
            throw new IllegalArgumentException("overrun policy is required");
        }
        Task.of(budgetNs, periodNs, deadlineNs); // validates C, T, D
    }

    /** {@code budgetNs} every {@code periodNs}, due at the end of the period, demoted on overrun. */
    public static ReserveSpec of(long budgetNs, long periodNs) {
        return new ReserveSpec("", budgetNs, periodNs, periodNs, new BitSet(), OverrunPolicy.DEMOTE);
    }

    public ReserveSpec withName(String newName) {
        return new ReserveSpec(newName, budgetNs, periodNs, deadlineNs, cpus, overrun);
    }

    public ReserveSpec withDeadlineNs(long newDeadlineNs) {
        return new ReserveSpec(name, budgetNs, periodNs, newDeadlineNs, cpus, overrun);
    }

    public ReserveSpec withBudgetNs(long newBudgetNs) {
        return new ReserveSpec(name, newBudgetNs, periodNs, deadlineNs, cpus, overrun);
    }

    public ReserveSpec withPeriodNs(long newPeriodNs) {
        return new ReserveSpec(name, budgetNs, newPeriodNs, Math.min(deadlineNs, newPeriodNs), cpus, overrun);
    }

    public ReserveSpec withOverrun(OverrunPolicy newOverrun) {
        return new ReserveSpec(name, budgetNs, periodNs, deadlineNs, cpus, newOverrun);
    }

    /** Only these CPUs. */
    public ReserveSpec onCpus(int... cpuNumbers) {
        BitSet set = new BitSet();
        for (int cpu : cpuNumbers) {
            set.set(cpu);
        }
        return new ReserveSpec(name, budgetNs, periodNs, deadlineNs, set, overrun);
    }

    @Override
    public BitSet cpus() {
        return (BitSet) cpus.clone();
    }

    /** C/T/D as admission control sees it. */
    public Task task() {
        return Task.of(budgetNs, periodNs, deadlineNs);
    }
}
