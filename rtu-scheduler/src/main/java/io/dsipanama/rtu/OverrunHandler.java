package io.dsipanama.rtu;

/**
 * Told, on the virtual processor right after the job, that a reserve used more CPU in the current period
 * than its budget ({@link OverrunPolicy#NOTIFY}; also called for the other policies when set).
 */
@FunctionalInterface
public interface OverrunHandler {
    /**
     * @param reserve  the reserve
     * @param usedNs   CPU used in the period so far, including what servers charged to it
     * @param budgetNs its budget per period
     */
    void onOverrun(Reserve reserve, long usedNs, long budgetNs);
}
