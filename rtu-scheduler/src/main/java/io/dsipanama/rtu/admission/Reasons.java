package io.dsipanama.rtu.admission;

import java.util.List;
import java.util.Locale;

/** Pieces of the one-line reasons verdicts carry. Doubles appear here for printing only. */
final class Reasons {
    private Reasons() {
    }

    /** {@code 34/35 (0.9714)}. */
    static String exact(Rational r) {
        return r + " (" + String.format(Locale.ROOT, "%.4f", r.doubleValue()) + ")";
    }

    /** {@code 2ms/5ms} or {@code 1ms/10ms/2ms}. */
    static String task(Task t) {
        String ct = Durations.format(t.costNs()) + "/" + Durations.format(t.periodNs());
        return t.implicitDeadline() ? ct : ct + "/" + Durations.format(t.deadlineNs());
    }

    /** {@code "task 3ms/10ms/2ms has C > D and can never meet its deadline; "} for each such task, or "". */
    static String triviallyInfeasible(List<Task> tasks) {
        StringBuilder sb = new StringBuilder();
        for (Task t : tasks) {
            if (t.triviallyInfeasible()) {
                sb.append("task ").append(task(t)).append(" has C > D and can never meet its deadline; ");
            }
        }
        return sb.toString();
    }

    static Rational utilisation(List<Task> tasks) {
        Rational u = Rational.ZERO;
        for (Task t : tasks) {
            u = u.add(t.utilisation());
        }
        return u;
    }
}
