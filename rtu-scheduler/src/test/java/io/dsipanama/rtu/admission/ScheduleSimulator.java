package io.dsipanama.rtu.admission;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A reference for the analyses: a unit-step simulation of the synchronous arrival pattern (every task
 * released at 0, then strictly periodically), which is the worst case for both EDF and fixed priorities
 * with constrained deadlines. Small integer parameters only; it is slow on purpose, and obviously right.
 */
final class ScheduleSimulator {
    /** What the simulation saw. */
    record Outcome(boolean missed, long[] firstCompletion) {
    }

    private ScheduleSimulator() {
    }

    /**
     * Simulates {@code tasks} from 0 until every job released before the hyperperiod has met or missed its
     * deadline. {@code edf} picks the earliest absolute deadline; otherwise {@code rank} gives fixed
     * priorities (lower rank runs first). Ties go to the lower task index.
     */
    static Outcome run(List<Task> tasks, boolean edf, int[] rank) {
        long hyper = 1;
        long maxPeriod = 0;
        for (Task t : tasks) {
            hyper = lcm(hyper, t.periodNs());
            maxPeriod = Math.max(maxPeriod, t.periodNs());
        }
        int n = tasks.size();
        long[] firstCompletion = new long[n];
        Arrays.fill(firstCompletion, -1);
        List<long[]> jobs = new ArrayList<>(); // {task, release, absolute deadline, remaining}
        boolean missed = false;
        // Long enough for the first jobs to finish even when they miss, and for every job before hyper.
        long end = 4 * hyper + maxPeriod;
        for (long now = 0; now < end; now++) {
            for (int i = 0; i < n; i++) {
                Task t = tasks.get(i);
                if (now % t.periodNs() == 0 && now < hyper) {
                    jobs.add(new long[] {i, now, now + t.deadlineNs(), t.costNs()});
                }
            }
            for (long[] j : jobs) {
                if (j[3] > 0 && j[2] <= now) {
                    missed = true;
                }
            }
            long[] pick = null;
            for (long[] j : jobs) {
                if (j[3] > 0 && (pick == null || before(j, pick, edf, rank))) {
                    pick = j;
                }
            }
            if (pick != null) {
                pick[3]--;
                if (pick[3] == 0 && pick[1] == 0) {
                    firstCompletion[(int) pick[0]] = now + 1;
                }
            }
            jobs.removeIf(j -> j[3] == 0);
            if (jobs.isEmpty() && now >= hyper) {
                break;
            }
        }
        return new Outcome(missed, firstCompletion);
    }

    private static boolean before(long[] a, long[] b, boolean edf, int[] rank) {
        if (edf) {
            return a[2] < b[2] || (a[2] == b[2] && a[0] < b[0]);
        }
        if (a[0] == b[0]) {
            return a[1] < b[1]; // same task: the older job first
        }
        return rank[(int) a[0]] < rank[(int) b[0]];
    }

    /** Rank of each task in deadline-monotonic order, the order the analysis assumes. */
    static int[] deadlineMonotonicRank(List<Task> tasks) {
        int[] order = ResponseTimeAnalysis.priorityOrder(tasks);
        int[] rank = new int[order.length];
        for (int k = 0; k < order.length; k++) {
            rank[order[k]] = k;
        }
        return rank;
    }

    /** The first absolute deadline with {@code h(t) > t}, by evaluating {@code h} at every integer t. */
    static long firstDemandViolation(List<Task> tasks, long upTo) {
        for (long t = 1; t <= upTo; t++) {
            long h = 0;
            for (Task k : tasks) {
                if (t >= k.deadlineNs()) {
                    h += ((t - k.deadlineNs()) / k.periodNs() + 1) * k.costNs();
                }
            }
            if (h > t) {
                return t;
            }
        }
        return -1;
    }

    static long lcm(long a, long b) {
        return a / gcd(a, b) * b;
    }

    private static long gcd(long a, long b) {
        return b == 0 ? a : gcd(b, a % b);
    }
}
