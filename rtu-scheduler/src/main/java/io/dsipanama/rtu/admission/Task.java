package io.dsipanama.rtu.admission;

import java.math.BigInteger;

/**
 * A periodic (or sporadic) task as admission control sees it: at most {@code costNs} of processor time in
 * every {@code periodNs}, each job due {@code deadlineNs} after its release. This is a processor capacity
 * reserve's {@code C/T} (Mercer, Savage and Tokuda) with a constrained deadline added.
 *
 * <p>{@code costNs > deadlineNs} is accepted: such a task can never meet its deadline, and the verdict says
 * so instead of this constructor throwing, so that a registry can report it like any other rejection.
 *
 * @param costNs     worst-case execution time (the reserve's budget), {@code > 0}
 * @param periodNs   minimum inter-release time, {@code > 0}
 * @param deadlineNs relative deadline, {@code 0 < deadlineNs <= periodNs}
 */
public record Task(long costNs, long periodNs, long deadlineNs) {
    public Task {
        if (costNs <= 0) {
            throw new IllegalArgumentException("task cost must be > 0 ns, got " + costNs);
        }
        if (periodNs <= 0) {
            throw new IllegalArgumentException("task period must be > 0 ns, got " + periodNs);
        }
        if (deadlineNs <= 0) {
            throw new IllegalArgumentException("task deadline must be > 0 ns, got " + deadlineNs);
        }
        if (deadlineNs > periodNs) {
            throw new IllegalArgumentException("task deadline " + deadlineNs + " ns exceeds its period " + periodNs
                    + " ns: only constrained deadlines (D <= T) are analysed");
        }
    }

    /** An implicit-deadline task, {@code D = T}. */
    public static Task of(long costNs, long periodNs) {
        return new Task(costNs, periodNs, periodNs);
    }

    public static Task of(long costNs, long periodNs, long deadlineNs) {
        return new Task(costNs, periodNs, deadlineNs);
    }

    /** {@code C / T}, exactly. */
    public Rational utilisation() {
        return Rational.of(BigInteger.valueOf(costNs), BigInteger.valueOf(periodNs));
    }

    /** {@code C / D}, exactly: the utilisation of the task with its period shortened to its deadline. */
    public Rational density() {
        return Rational.of(BigInteger.valueOf(costNs), BigInteger.valueOf(deadlineNs));
    }

    public boolean implicitDeadline() {
        return deadlineNs == periodNs;
    }

    /** True when even alone on a processor the task misses its deadline ({@code C > D}). */
    public boolean triviallyInfeasible() {
        return costNs > deadlineNs;
    }

    /** {@code C/T} or {@code C/T/D} in nanoseconds, the form the {@code dsi admit} command reads. */
    @Override
    public String toString() {
        return implicitDeadline() ? costNs + "/" + periodNs : costNs + "/" + periodNs + "/" + deadlineNs;
    }
}
