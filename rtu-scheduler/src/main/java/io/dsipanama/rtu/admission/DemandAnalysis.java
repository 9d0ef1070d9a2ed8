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
 * <p><b>Reporting.</b> When the test fails, the earliest violated absolute deadline is found by scanning the
 * deadlines forward up to the point QPA found. With {@code U > 1} every {@code t >= sum U_i D_i / (U - 1)}
 * is violated, because {@code h(t) > U t - sum U_i D_i}; the scan stops there. Scans are cut off after
 * {@link #MAX_SCAN_POINTS} deadlines and then report a violated point that may not be the earliest.
 *
 * <p><b>Limits.</b> Arithmetic is {@code long} nanoseconds, saturating (see {@link Saturating}); horizons
 * and bounds are computed in exact rationals. When no horizon fits in {@code long}, the busy-period iteration
 * or QPA takes more than its step limit, the set is rejected as undecided: admission control must only
 * admit what it has proved.
 */
final class DemandAnalysis {
    static final int MAX_SCAN_POINTS = 1 << 20;
    static final int MAX_QPA_STEPS = 1 << 24;
    static final int MAX_BUSY_PERIOD_ITERATIONS = 1 << 20;
    private static final long SCHEDULABLE = -1;
    private static final long GAVE_UP = -2;

    private DemandAnalysis() {
    }

    static CpuVerdict analyse(int cpu, List<Task> tasks) {
        Rational u = Reasons.utilisation(tasks);
        String prefix = Reasons.triviallyInfeasible(tasks);
        if (tasks.isEmpty()) {
            return verdict(cpu, tasks, true, u, null, "no tasks");
        }
        if (u.compareTo(Rational.ONE) > 0) {
            DemandPoint p = overloadViolation(tasks, u);
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
        long t = qpa(tasks, horizon);
        if (t == SCHEDULABLE) {
            return verdict(cpu, tasks, true, u, null, "U = " + Reasons.exact(u) + " and h(t) <= t at every"
                    + " absolute deadline up to L = " + Durations.format(horizon) + " (QPA)");
        }
        if (t == GAVE_UP) {
            return verdict(cpu, tasks, false, u, null, prefix + "undecided, rejected: QPA took more than "
                    + MAX_QPA_STEPS + " steps below L = " + Durations.format(horizon));
        }
        long d = lastDeadlineAtOrBefore(tasks, t);
        DemandPoint p = earliestViolation(tasks, d);
        if (p == null) {
            p = new DemandPoint(d, demand(tasks, d), false);
        }
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
     * QPA: {@link #SCHEDULABLE}, {@link #GAVE_UP}, or a {@code t} with {@code h(t) > t}. At the end either
     * {@code h(t) > t} or {@code h(t) <= d_min}; the latter proves every deadline up to the horizon met.
     */
    static long qpa(List<Task> tasks, long horizon) {
        long dMin = tasks.stream().mapToLong(Task::deadlineNs).min().orElseThrow();
        long t = lastDeadlineAtOrBefore(tasks, horizon);
        if (t < 0) {
            return SCHEDULABLE; // the busy period ends before the first deadline
        }
        long h = demand(tasks, t);
        for (int steps = 0; h <= t && h > dMin; steps++) {
            if (steps == MAX_QPA_STEPS) {
                return GAVE_UP;
            }
            t = h < t ? h : lastDeadlineAtOrBefore(tasks, t - 1);
            h = demand(tasks, t);
        }
        return h > t ? t : SCHEDULABLE;
    }

    /**
     * The first absolute deadline {@code t <= limit} with {@code h(t) > t}, scanning deadlines in increasing
     * order; null when there is none or after {@link #MAX_SCAN_POINTS} distinct deadlines.
     */
    static DemandPoint earliestViolation(List<Task> tasks, long limit) {
        long[] next = tasks.stream().mapToLong(Task::deadlineNs).toArray();
        long h = 0;
        for (int points = 0; points < MAX_SCAN_POINTS; points++) {
            long t = Saturating.INFINITE;
            for (long d : next) {
                t = Math.min(t, d);
            }
            if (t > limit || t == Saturating.INFINITE) {
                return null;
            }
            for (int i = 0; i < next.length; i++) {
                if (next[i] == t) {
                    h = Saturating.add(h, tasks.get(i).costNs());
                    next[i] = Saturating.add(t, tasks.get(i).periodNs());
                }
            }
            if (h > t) {
                return new DemandPoint(t, h, true);
            }
        }
        return null;
    }

    /** {@code U > 1}: the earliest violated deadline, which lies at or before {@code sum U_i D_i / (U - 1)}. */
    private static DemandPoint overloadViolation(List<Task> tasks, Rational u) {
        Rational weighted = Rational.ZERO;
        for (Task k : tasks) {
            weighted = weighted.add(k.utilisation().multiply(Rational.of(k.deadlineNs())));
        }
        BigInteger bound = weighted.divide(u.subtract(Rational.ONE)).ceil();
        long limit = Saturating.below(bound);
        DemandPoint p = earliestViolation(tasks, limit < 0 ? Saturating.INFINITE - 1 : limit);
        if (p != null || limit < 0) {
            return p;
        }
        long d = lastDeadlineAtOrBefore(tasks, limit);
        return new DemandPoint(d, demand(tasks, d), false);
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
