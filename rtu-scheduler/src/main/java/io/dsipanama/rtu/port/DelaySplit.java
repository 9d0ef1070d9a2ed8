package io.dsipanama.rtu.port;

import io.dsipanama.rtu.registry.AdmissionException;

/**
 * How an end-to-end delay becomes per-stage deadlines.
 *
 * <p>Each stage after the first is released when the previous one hands its buffer on (its trigger fires in
 * the previous stage's job), and a stage's deadline counts from its own release; a buffer therefore
 * reaches the end of the chain within the sum of the stages' deadlines, plus, for each link that crosses
 * processes, the time from the producer's commit to the stream waiter's fire (which no reserve covers).
 * So, for {@code n} stages and {@code L} cross-process links:
 *
 * <pre>
 *   share = (delay - L * crossProcessAllowance) / n        every stage the same share
 *   d_i   = min(share, period)                             a reserve's deadline is at most its period
 *   d_0   = min(d_0, jitter)                               the source hands on within the jitter
 * </pre>
 *
 * and {@code sum d_i + L * allowance <= delay}. Equal shares, not shares by budget, because the two sides
 * of a cross-process connection compute their deadlines independently and neither knows the other's
 * budget: both arrive at the same split from the QoS alone. A stage whose deadline would be below its CPU
 * budget cannot be admitted: the connection is refused ({@link AdmissionException}) before any reserve is
 * taken.
 */
public final class DelaySplit {
    private DelaySplit() {
    }

    /**
     * Per-stage relative deadlines, ns. {@code budgetsNs[i]} is stage i's CPU budget, or 0 for a stage of
     * another process (checked there).
     */
    public static long[] deadlinesNs(QoS qos, long[] budgetsNs, int crossProcessLinks, long crossProcessAllowanceNs) {
        int n = budgetsNs.length;
        if (n < 2) {
            throw new IllegalArgumentException("a connection has at least two ports");
        }
        long available = qos.delayNs() - crossProcessLinks * crossProcessAllowanceNs;
        long share = available / n;
        long[] d = new long[n];
        for (int i = 0; i < n; i++) {
            d[i] = Math.min(share, qos.periodNs());
        }
        d[0] = Math.min(d[0], qos.jitterNs());
        for (int i = 0; i < n; i++) {
            if (d[i] <= 0 || d[i] < budgetsNs[i]) {
                throw new AdmissionException("delay QoS " + qos.delayNs() + " ns over " + n + " stages"
                        + (crossProcessLinks > 0 ? " and " + crossProcessLinks + " cross-process link(s) of "
                        + crossProcessAllowanceNs + " ns" : "") + " (period " + qos.periodNs() + " ns, jitter "
                        + qos.jitterNs() + " ns) leaves stage " + i + " a deadline of " + d[i]
                        + " ns, below its CPU budget of " + budgetsNs[i] + " ns");
            }
        }
        return d;
    }
}
