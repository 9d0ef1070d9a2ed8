package io.dsipanama.rtu.admission;

/**
 * What admission found for one task.
 *
 * @param index      position of the task in the list that was analysed
 * @param task       the task
 * @param cpu        processor the task was analysed (placed) on, or {@link #UNPLACED}
 * @param responseNs fixed-priority policies with exact analysis: the worst-case response time when it is
 *                   within the deadline; otherwise the first iterate beyond the deadline, a lower bound on
 *                   the response time at which analysis stopped ({@code Long.MAX_VALUE}: it overflowed).
 *                   {@link #NOT_COMPUTED} for other policies and for unplaced tasks
 * @param violation  EDF: the processor's first violated demand point when this task has an absolute deadline
 *                   exactly there, else null
 */
public record TaskVerdict(int index, Task task, int cpu, long responseNs, DemandPoint violation) {
    public static final int UNPLACED = -1;
    public static final long NOT_COMPUTED = -1;

    public boolean hasResponse() {
        return responseNs != NOT_COMPUTED;
    }

    TaskVerdict relabel(int newIndex, int newCpu) {
        return new TaskVerdict(newIndex, task, newCpu, responseNs, violation);
    }
}
