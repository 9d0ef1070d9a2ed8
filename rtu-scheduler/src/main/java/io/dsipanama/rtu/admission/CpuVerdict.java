package io.dsipanama.rtu.admission;

import java.util.List;

/**
 * The verdict of one policy's test on the whole load of one processor.
 *
 * @param cpu            the processor's number (0 for a uniprocessor analysis)
 * @param policy         the test that decided
 * @param schedulable    true only when the test proved every deadline is met
 * @param utilisation    {@code sum C/T} of the tasks, exactly
 * @param tasks          one verdict per task, in the order they were given
 * @param firstViolation EDF with constrained deadlines or utilisation above 1: the earliest absolute deadline
 *                       where demand exceeds the time available; null otherwise
 * @param reason         why, in one line, for people
 */
public record CpuVerdict(int cpu, Policy policy, boolean schedulable, Rational utilisation, List<TaskVerdict> tasks,
        DemandPoint firstViolation, String reason) {
    public CpuVerdict {
        tasks = List.copyOf(tasks);
    }

    /** This verdict with each task renumbered to {@code inputIndex[position]} and moved to {@code newCpu}. */
    CpuVerdict relabel(int newCpu, int[] inputIndex) {
        List<TaskVerdict> moved = tasks.stream().map(t -> t.relabel(inputIndex[t.index()], newCpu)).toList();
        return new CpuVerdict(newCpu, policy, schedulable, utilisation, moved, firstViolation, reason);
    }
}
