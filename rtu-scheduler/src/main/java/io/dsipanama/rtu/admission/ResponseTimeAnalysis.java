package io.dsipanama.rtu.admission;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Exact response-time analysis for preemptive fixed priorities on one processor (Joseph and Pandya 1986;
 * Audsley, Burns, Richardson, Tindell and Wellings 1993), for constrained deadlines {@code D <= T}.
 *
 * <p><b>Priorities.</b> Deadline monotonic: the shorter the relative deadline, the higher the priority, which
 * is rate monotonic when every {@code D = T}. Ties go to the shorter period, then to the task given first.
 * The analysis is exact for that order, so a scheduler admitting by it must break ties the same way.
 *
 * <p><b>Recurrence.</b> {@code R = C_i + sum over higher-priority j of ceil(R / T_j) * C_j}, iterated from
 * {@code R = sum of C over i and hp(i)} in {@code long} nanoseconds with saturating arithmetic. It stops at
 * the fixed point (the worst-case response time, schedulable when {@code R <= D_i}: a response equal to its
 * deadline meets it) or as soon as an iterate exceeds {@code D_i} (a miss; that iterate is reported and is a
 * lower bound on the response) or saturates. Iterates only grow, so it always terminates.
 */
final class ResponseTimeAnalysis {
    private ResponseTimeAnalysis() {
    }

    static CpuVerdict analyse(int cpu, List<Task> tasks) {
        int[] order = priorityOrder(tasks);
        long[] responseNs = new long[tasks.size()];
        StringBuilder misses = new StringBuilder();
        for (int k = 0; k < order.length; k++) {
            int i = order[k];
            responseNs[i] = responseTime(tasks, order, k);
            Task t = tasks.get(i);
            if (!meets(responseNs[i], t)) {
                misses.append(misses.isEmpty() ? "" : ", ").append(Reasons.task(t)).append(" (R >= ")
                        .append(Durations.format(responseNs[i])).append(" > D)");
            }
        }
        List<TaskVerdict> out = new ArrayList<>(tasks.size());
        for (int i = 0; i < tasks.size(); i++) {
            out.add(new TaskVerdict(i, tasks.get(i), cpu, responseNs[i], null));
        }
        boolean ok = misses.isEmpty();
        String reason = Reasons.triviallyInfeasible(tasks) + (ok
                ? "every response time is within its deadline (deadline-monotonic priorities)"
                : "deadline missed by " + misses);
        return new CpuVerdict(cpu, Policy.RM_EXACT, ok, Reasons.utilisation(tasks), out, null, reason);
    }

    /** A saturated response is at least 2^63-1 ns: a miss whatever the deadline. */
    static boolean meets(long responseNs, Task task) {
        return responseNs <= task.deadlineNs() && responseNs != Saturating.INFINITE;
    }

    /** Task indexes from highest to lowest priority. */
    static int[] priorityOrder(List<Task> tasks) {
        Integer[] order = new Integer[tasks.size()];
        Arrays.setAll(order, i -> i);
        Arrays.sort(order, Comparator.<Integer>comparingLong(i -> tasks.get(i).deadlineNs())
                .thenComparingLong(i -> tasks.get(i).periodNs())
                .thenComparingInt(i -> i));
        return Arrays.stream(order).mapToInt(Integer::intValue).toArray();
    }

    /** The response time of the task at priority rank {@code k}, or the first iterate beyond its deadline. */
    static long responseTime(List<Task> tasks, int[] order, int k) {
        Task task = tasks.get(order[k]);
        long r = task.costNs();
        for (int j = 0; j < k; j++) {
            r = Saturating.add(r, tasks.get(order[j]).costNs());
        }
        while (meets(r, task)) {
            long next = task.costNs();
            for (int j = 0; j < k; j++) {
                Task hp = tasks.get(order[j]);
                next = Saturating.add(next, Saturating.multiply(Math.ceilDiv(r, hp.periodNs()), hp.costNs()));
            }
            if (next == r) {
                return r;
            }
            r = next;
        }
        return r;
    }
}
