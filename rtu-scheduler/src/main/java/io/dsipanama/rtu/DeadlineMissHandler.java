package io.dsipanama.rtu;

/** Told, on the virtual processor right after the late job, that a job completed after its deadline. */
@FunctionalInterface
public interface DeadlineMissHandler {
    /**
     * @param reserve      whose job was late
     * @param releaseNs    its release, CLOCK_MONOTONIC ns
     * @param deadlineNs   its absolute deadline
     * @param completionNs when it completed
     */
    void onDeadlineMiss(Reserve reserve, long releaseNs, long deadlineNs, long completionNs);
}
