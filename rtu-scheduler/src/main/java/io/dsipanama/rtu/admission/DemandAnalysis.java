package io.dsipanama.rtu.admission;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/**
 * EDF on one processor, exactly.
 *
 * <p><b>{@code D = T} for every task:</b> schedulable iff {@code U = sum C/T <= 1} (Liu and Layland 1973),
 * compared as rationals, so {@code U} exactly 1 passes.
 *
 * <p><b>Some {@code D < T}:</b> schedulable iff {@code U <= 1} and the processor demand
 * {@code h(t) = sum over i of max(0, floor((t - D_i) / T_i) + 1) * C_i} is at most {@code t} at every absolute
 * deadline {@code t} up to a horizon {@code L} (Baruah, Rosier and Howell 1990). {@code L} is the smallest
 * available of: {@code L_a = max(D_max, sum (T_i - D_i) U_i / (1 - U))} (only when {@code U < 1}), the
 * synchronous busy period {@code L_b}, and the hyperperiod; with {@code U = 1} that is the busy period. The
 * points are not enumerated: QPA (Zhang and Burns 2009) walks down from {@code L}, jumping to {@code h(t)},
 * and visits few of them.
 *
 * <p><b>The first violated point.</b> QPA started at any {@code L} keeps the invariant "no deadline in
 * {@code (t, L]} is violated", so when it stops at a violation that is the <em>last</em> violated deadline
 * up to {@code L}. A binary search over {@code L}, each probe a QPA run, narrows that to the earliest one in at
 * most 63 runs. With {@code U > 1} every {@code t >= sum U_i D_i / (U - 1)} is violated (because
 * {@code h(t) > U t - sum U_i D_i}), which bounds where to start.
 *
 * <p><b>Limits.</b> Arithmetic is {@code long} nanoseconds, saturating (see {@link Saturating}); horizons
 * and bounds are computed in exact rationals. All QPA runs of one analysis share {@link #MAX_QPA_STEPS}
 * steps. When no horizon fits in a {@code long} or the steps run out before the verdict, the set is rejected
 * as undecided: admission control must only admit what it has proved. When they run out while narrowing
 * down the first violation, the verdict stands and the violated point reported may not be the earliest.
 */
final class DemandAnalysis {
    static final int MAX_QPA_STEPS = 1 << 24;
    static final int MAX_BUSY_PERIOD_ITERATIONS = 1 << 20;
    private static final long NONE = -1;
    private static final long GAVE_UP = -2;

    private DemandAnalysis() {
    }

    static CpuVerdict analyse(int cpu, List<Task> tasks) {
        Rational u = Reasons.utilisation(tasks);
        String prefix = Reasons.triviallyInfeasible(tasks);
        if (tasks.isEmpty()) {
            return verdict(cpu, tasks, true, u, null, "no tasks");
        }
        int[] budget = {MAX_QPA_STEPS};
        if (u.compareTo(Rational.ONE) > 0) {
            long limit = Saturating.below(overloadBound(tasks, u));
            long last = lastViolation(tasks, limit < 0 ? Saturating.INFINITE - 1 : limit, budget);
            DemandPoint p = last >= 0 ? firstViolation(tasks, last, budget) : null;
            return verdict(cpu, tasks, false, u, p, prefix + "U = " + Reasons.exact(u) + " > 1" + at(p));
        }
        if (tasks.stream().allMatch(Task::implicitDeadline)) {
            return verdict(cpu, tasks, true, u, null, "U = " + Reasons.exact(u) + " <= 1 with D = T");
        }
        long horizon = horizon(tasks, u);
        if (horizon < 0) {
            return verdict(cpu, tasks, false, u, null, prefix + "undecided, rejected: no demand-analysis horizon"
                    + " fits in 2^63-1 ns (U = " + Reasons.exact(u) + ")");
        }
        long last = lastViolation(tasks, horizon, budget);
        if (last == NONE) {
            return verdict(cpu, tasks, true, u, null, "U = " + Reasons.exact(u) + " and h(t) <= t at every"
                    + " absolute deadline up to L = " + Durations.format(horizon) + " (QPA)");
        }
        if (last == GAVE_UP) {
            return verdict(cpu, tasks, false, u, null, prefix + "undecided, rejected: QPA took more than "
                    + MAX_QPA_STEPS + " steps below L = " + Durations.format(horizon));
        }
        DemandPoint p = firstViolation(tasks, last, budget);
        return verdict(cpu, tasks, false, u, p, prefix + "U = " + Reasons.exact(u) + at(p));
    }

    /** {@code h(t)}, saturating. */
    static long demand(List<Task> tasks, long t) {
        long h = 0;
        for (Task k : tasks) {
            if (t >= k.deadlineNs()) {
                long jobs = (t - k.deadlineNs()) / k.periodNs() + 1;
                h = Saturating.add(h, Saturating.multiply(jobs, k.costNs()));
            }
        }
        return h;
    }

    /** The latest absolute deadline {@code <= t}, or -1 when there is none. */
    static long lastDeadlineAtOrBefore(List<Task> tasks, long t) {
        long last = -1;
        for (Task k : tasks) {
            if (t >= k.deadlineNs()) {
                last = Math.max(last, k.deadlineNs() + (t - k.deadlineNs()) / k.periodNs() * k.periodNs());
            }
        }
        return last;
    }

    /**
     * QPA from {@code limit} down: the last absolute deadline {@code <= limit} with {@code h(t) > t},
     * {@link #NONE}, or {@link #GAVE_UP} when {@code budget[0]} steps run out. Invariant: no deadline in
     * {@code (t, limit]} is violated; {@code h(t) < t} extends it down to {@code h(t)} because {@code h} is
     * non-decreasing, and {@code h(t) <= d_min} ends it with nothing violated at all.
     */
    static long lastViolation(List<Task> tasks, long limit, int[] budget) {
        long dMin = tasks.stream().mapToLong(Task::deadlineNs).min().orElseThrow();
        long t = lastDeadlineAtOrBefore(tasks, limit);
        if (t < 0) {
            return NONE; // the horizon ends before the first deadline
        }
        long h = demand(tasks, t);
        while (h <= t && h > dMin) {
            if (--budget[0] < 0) {
                return GAVE_UP;
            }
            t = h < t ? h : lastDeadlineAtOrBefore(tasks, t - 1);
            h = demand(tasks, t);
        }
        // h(t) > t at a non-deadline t means the same demand at the deadline just before it.
        return h > t ? lastDeadlineAtOrBefore(tasks, t) : NONE;
    }

    /**
     * The earliest violated deadline, given the violated deadline {@code known}: binary search for the
     * smallest {@code L} whose {@link #lastViolation} is not {@link #NONE}.
     */
    static DemandPoint firstViolation(List<Task> tasks, long known, int[] budget) {
        long lo = tasks.stream().mapToLong(Task::deadlineNs).min().orElseThrow();
        long hi = known;
        while (lo < hi) {
            long mid = lo + (hi - lo) / 2;
            long last = lastViolation(tasks, mid, budget);
            if (last == GAVE_UP) {
                return new DemandPoint(hi, demand(tasks, hi), false);
            }
            if (last == NONE) {
                lo = mid + 1;
            } else {
                hi = last;
            }
        }
        return new DemandPoint(hi, demand(tasks, hi), true);
    }

    /** {@code U > 1}: {@code ceil(sum U_i D_i / (U - 1))}, from where on every deadline is violated. */
    private static BigInteger overloadBound(List<Task> tasks, Rational u) {
        Rational weighted = Rational.ZERO;
        for (Task k : tasks) {
            weighted = weighted.add(k.utilisation().multiply(Rational.of(k.deadlineNs())));
        }
        return weighted.divide(u.subtract(Rational.ONE)).ceil();
    }

    /** The smallest horizon that fits in a {@code long}, or -1. {@code u <= 1}. */
    private static long horizon(List<Task> tasks, Rational u) {
        long best = -1;
        if (u.compareTo(Rational.ONE) < 0) {
            Rational slack = Rational.ZERO;
            long dMax = 0;
            for (Task k : tasks) {
                slack = slack.add(k.utilisation().multiply(Rational.of(k.periodNs() - k.deadlineNs())));
                dMax = Math.max(dMax, k.deadlineNs());
            }
            BigInteger la = slack.divide(Rational.ONE.subtract(u)).ceil().max(BigInteger.valueOf(dMax));
            best = Saturating.below(la);
        }
        long lb = busyPeriod(tasks, best < 0 ? Saturating.INFINITE : best);
        if (lb >= 0 && (best < 0 || lb < best)) {
            best = lb;
        }
        if (best < 0) {
            BigInteger hyper = BigInteger.ONE;
            for (Task k : tasks) {
                BigInteger p = BigInteger.valueOf(k.periodNs());
                hyper = hyper.divide(hyper.gcd(p)).multiply(p);
            }
            best = Saturating.below(hyper);
        }
        return best;
    }

    /**
     * The synchronous busy period: the fixed point of {@code w = sum ceil(w / T_i) * C_i} from
     * {@code w = sum C_i}; -1 once {@code w} passes {@code cap} or after too many iterations.
     */
    private static long busyPeriod(List<Task> tasks, long cap) {
        long w = 0;
        for (Task k : tasks) {
            w = Saturating.add(w, k.costNs());
        }
        for (int i = 0; i < MAX_BUSY_PERIOD_ITERATIONS && w < cap; i++) {
            long next = 0;
            for (Task k : tasks) {
                next = Saturating.add(next, Saturating.multiply(Math.ceilDiv(w, k.periodNs()), k.costNs()));
            }
            if (next == w) {
                return w;
            }
            w = next;
        }
        return -1;
    }

    private static String at(DemandPoint p) {
        if (p == null) {
            return "";
        }
        return (p.earliest() ? "; first violated" : "; a violated") + " deadline: h(" + Durations.format(p.tNs())
                + ") = " + Durations.format(p.demandNs()) + " > " + Durations.format(p.tNs());
    }

    private static CpuVerdict verdict(int cpu, List<Task> tasks, boolean ok, Rational u, DemandPoint p,
            String reason) {
        List<TaskVerdict> out = new ArrayList<>(tasks.size());
        for (int i = 0; i < tasks.size(); i++) {
            Task k = tasks.get(i);
            boolean due = p != null && p.tNs() >= k.deadlineNs() && (p.tNs() - k.deadlineNs()) % k.periodNs() == 0;
            out.add(new TaskVerdict(i, k, cpu, TaskVerdict.NOT_COMPUTED, due ? p : null));
        }
        return new CpuVerdict(cpu, Policy.EDF, ok, u, out, p, reason);
    }
}
