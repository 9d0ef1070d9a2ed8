package io.dsipanama.rtu.admission;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The two sufficient utilisation tests for rate-monotonic priorities, decided in exact rationals.
 *
 * <p><b>Liu and Layland (1973).</b> {@code n} tasks with {@code D = T} are schedulable by RM when
 * {@code U <= n(2^(1/n) - 1)}. The bound is irrational, so it is never computed: {@code x -> (1 + x/n)^n} is
 * strictly increasing for {@code x >= 0} and maps the bound to exactly 2, hence
 * {@code U <= n(2^(1/n) - 1)  <=>  (1 + U/n)^n <= 2}, which is a comparison of rationals.
 *
 * <p><b>Hyperbolic bound (Bini, Buttazzo and Buttazzo 2003).</b> Schedulable by RM when
 * {@code prod(U_i + 1) <= 2}; it accepts every set Liu and Layland accept, and more.
 *
 * <p><b>Constrained deadlines.</b> Both bounds are stated for {@code D = T}. A task with {@code D < T} is
 * counted with its density {@code C/D} in place of {@code C/T}: shortening each period to its deadline only
 * adds interference, and the shortened set under RM is the original under deadline-monotonic priorities, so
 * the test stays sufficient (and more pessimistic).
 */
final class UtilisationBounds {
    /** 693147/10^6 < ln 2 <= n(2^(1/n) - 1) for every n: anything at or below it passes without powers. */
    private static final Rational BELOW_LN2 = Rational.of(693_147, 1_000_000);

    private UtilisationBounds() {
    }

    static CpuVerdict liuLayland(int cpu, List<Task> tasks) {
        Rational load = Rational.ZERO;
        for (Task t : tasks) {
            load = load.add(load(t));
        }
        int n = tasks.size();
        boolean ok = withinLiuLayland(load, n);
        String bound = n == 0 ? "1" : String.format(Locale.ROOT, "%.4f", n * (Math.pow(2, 1.0 / n) - 1));
        String reason = Reasons.triviallyInfeasible(tasks) + loadName(tasks) + " " + Reasons.exact(load)
                + (ok ? " <= " : " > ") + "the Liu-Layland bound for " + n + " task(s) (" + bound + ")";
        return verdict(Policy.RM_BOUND, cpu, tasks, ok, reason);
    }

    static CpuVerdict hyperbolic(int cpu, List<Task> tasks) {
        Rational product = Rational.ONE;
        for (Task t : tasks) {
            product = product.multiply(load(t).add(Rational.ONE));
        }
        boolean ok = product.compareTo(Rational.TWO) <= 0;
        String reason = Reasons.triviallyInfeasible(tasks) + "prod(" + (allImplicit(tasks) ? "U" : "C/D")
                + "_i + 1) = " + Reasons.exact(product) + (ok ? " <= 2" : " > 2");
        return verdict(Policy.RM_HYPERBOLIC, cpu, tasks, ok, reason);
    }

    /** {@code load <= n(2^(1/n) - 1)}, exactly. */
    static boolean withinLiuLayland(Rational load, int n) {
        if (n == 0 || load.compareTo(BELOW_LN2) <= 0) {
            return true;
        }
        if (load.compareTo(Rational.ONE) > 0) {
            return false; // the bound is at most 1 (n = 1)
        }
        Rational x = Rational.ONE.add(load.divide(Rational.of(n)));
        return x.pow(n).compareTo(Rational.TWO) <= 0;
    }

    private static Rational load(Task t) {
        return t.implicitDeadline() ? t.utilisation() : t.density();
    }

    private static boolean allImplicit(List<Task> tasks) {
        return tasks.stream().allMatch(Task::implicitDeadline);
    }

    private static String loadName(List<Task> tasks) {
        return allImplicit(tasks) ? "U =" : "sum of C/D (C/T where D = T) =";
    }

    private static CpuVerdict verdict(Policy policy, int cpu, List<Task> tasks, boolean ok, String reason) {
        List<TaskVerdict> out = new ArrayList<>(tasks.size());
        for (int i = 0; i < tasks.size(); i++) {
            out.add(new TaskVerdict(i, tasks.get(i), cpu, TaskVerdict.NOT_COMPUTED, null));
        }
        return new CpuVerdict(cpu, policy, ok, Reasons.utilisation(tasks), out, null, reason);
    }
}
