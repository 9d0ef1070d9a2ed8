package io.dsipanama.rtu.admission;

import java.util.List;

/**
 * The verdict on a task set over one or more processors.
 *
 * @param policy      the test applied on each processor
 * @param placement   the partitioning heuristic, or null when there is one processor and nothing to place
 * @param cpus        the number of processors
 * @param schedulable true when every task was placed and every processor's test passed
 * @param utilisation {@code sum C/T} over all tasks, exactly
 * @param tasks       one verdict per task in input order; an unplaced task has cpu {@link TaskVerdict#UNPLACED}
 * @param processors  the verdict of each processor on its final load, by processor number
 * @param reason      why, in one line, for people
 */
public record Verdict(Policy policy, Placement placement, int cpus, boolean schedulable, Rational utilisation,
        List<TaskVerdict> tasks, List<CpuVerdict> processors, String reason) {
    public Verdict {
        tasks = List.copyOf(tasks);
        processors = List.copyOf(processors);
    }
}
