package io.dsipanama.rtu.admission;

/**
 * A point where the processor demand exceeds the time available under EDF: in the synchronous arrival
 * pattern the jobs with absolute deadlines at or before {@code tNs} need {@code demandNs > tNs} of processor
 * time, so one of them misses.
 *
 * @param tNs      an absolute deadline, nanoseconds after a synchronous release
 * @param demandNs {@code h(t)}, the demand of jobs due at or before {@code tNs}; saturates at
 *                 {@code Long.MAX_VALUE}
 * @param earliest true when no earlier absolute deadline is violated; false when the search for the earliest
 *                 one ran out of steps and this is merely a violated point
 */
public record DemandPoint(long tNs, long demandNs, boolean earliest) {
}
