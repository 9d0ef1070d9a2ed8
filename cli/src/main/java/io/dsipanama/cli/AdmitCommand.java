package io.dsipanama.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import io.dsipanama.rtu.admission.Admission;
import io.dsipanama.rtu.admission.CpuVerdict;
import io.dsipanama.rtu.admission.DemandPoint;
import io.dsipanama.rtu.admission.Durations;
import io.dsipanama.rtu.admission.Placement;
import io.dsipanama.rtu.admission.Policy;
import io.dsipanama.rtu.admission.Task;
import io.dsipanama.rtu.admission.TaskVerdict;
import io.dsipanama.rtu.admission.Verdict;

/**
 * {@code dsi admit}: the admission control of the rtu-scheduler module as a schedulability tool. Same code,
 * same exact arithmetic; the output shows the verdict, each task's response time (fixed priority) or the
 * first violated demand point (EDF), and the CPU each task was placed on.
 */
final class AdmitCommand {
    static final String USAGE = """
            usage: dsi admit --policy edf|rm-bound|rm-hyperbolic|rm-exact [--cpus N] [--placement ffd|wfd] [--json]
                             C/T[/D] ...
              Is this task set schedulable? Each task is cost/period[/deadline], the deadline defaulting to the
              period, in nanoseconds or with a unit ns, us, ms, s: 2ms/10ms, 1.5ms/10ms/8ms, 250000/1000000.
              --policy     edf            EDF: utilisation <= 1 when D = T, else processor demand (QPA)
                           rm-bound       deadline monotonic within the Liu-Layland bound (sufficient)
                           rm-hyperbolic  deadline monotonic within the hyperbolic bound (sufficient)
                           rm-exact       deadline monotonic, exact response-time analysis
              --cpus N     partition over N processors (default 1: the whole set on one)
              --placement  ffd (first-fit decreasing, default) or wfd (worst-fit decreasing); with --cpus > 1
              --json       JSON: schedulable, policy, placement, cpus, utilisation, reason, tasks (cost_ns,
                           period_ns, deadline_ns, response_ns when computed, cpu; -1 = placed nowhere),
                           processors (cpu, schedulable, utilisation, reason, first_violation)
              A response above the deadline is where the analysis stopped: a lower bound.
              exit status: 0 schedulable, 1 not schedulable, 2 usage error
            """;

    private AdmitCommand() {
    }

    static int run(String[] argv, PrintStream out) {
        Args args = Args.parse("admit", argv, 1, Set.of("policy", "cpus", "placement"), Set.of("json", "help"));
        if (args.flag("help")) {
            out.print(USAGE);
            return 0;
        }
        String policyName = args.get("policy", null);
        if (policyName == null) {
            throw new Args.UsageException("admit: --policy is required (edf, rm-bound, rm-hyperbolic, rm-exact);"
                    + " dsi admit --help explains");
        }
        Policy policy;
        Placement placement;
        try {
            policy = Policy.fromCliName(policyName);
            placement = Placement.fromCliName(args.get("placement", "ffd"));
        } catch (IllegalArgumentException e) {
            throw new Args.UsageException("admit: " + e.getMessage());
        }
        long cpus = args.getLong("cpus", 1);
        if (cpus < 1 || cpus > 4096) {
            throw new Args.UsageException("admit: --cpus takes 1 to 4096, not " + cpus);
        }
        if (args.positional().isEmpty()) {
            throw new Args.UsageException("admit: no tasks given; write each as C/T or C/T/D, e.g. 2ms/10ms");
        }
        List<Task> tasks = new ArrayList<>();
        for (String spec : args.positional()) {
            tasks.add(parseTask(spec));
        }
        Verdict v = Admission.schedule(policy, placement, (int) cpus, tasks);
        if (args.flag("json")) {
            out.println(Json.write(json(v)));
        } else {
            human(v, out);
        }
        return v.schedulable() ? 0 : 1;
    }

    /** {@code C/T} or {@code C/T/D}, each a duration {@link Durations#parseNs} reads. */
    static Task parseTask(String spec) {
        String[] parts = spec.split("/", -1);
        if (parts.length < 2 || parts.length > 3) {
            throw new Args.UsageException("admit: task '" + spec + "' is not C/T or C/T/D");
        }
        try {
            long c = Durations.parseNs(parts[0]);
            long t = Durations.parseNs(parts[1]);
            return Task.of(c, t, parts.length == 3 ? Durations.parseNs(parts[2]) : t);
        } catch (IllegalArgumentException e) {
            throw new Args.UsageException("admit: task '" + spec + "': " + e.getMessage());
        }
    }

    private static void human(Verdict v, PrintStream out) {
        out.printf("%s: policy %s, %d CPU%s%s, U = %s (%s)%n", v.schedulable() ? "SCHEDULABLE" : "NOT SCHEDULABLE",
                v.policy().cliName(), v.cpus(), v.cpus() == 1 ? "" : "s",
                v.placement() == null ? "" : ", placement " + v.placement().cliName(), v.utilisation(),
                fourPlaces(v.utilisation().doubleValue()));
        out.println("  " + v.reason());
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"task", "C", "T", "D", "U", v.policy() == Policy.EDF ? "violation" : "response", "cpu"});
        for (TaskVerdict t : v.tasks()) {
            Task k = t.task();
            rows.add(new String[] {"#" + (t.index() + 1), Durations.format(k.costNs()), Durations.format(k.periodNs()),
                    Durations.format(k.deadlineNs()), fourPlaces(k.utilisation().doubleValue()), outcome(t),
                    Integer.toString(t.cpu())});
        }
        table(rows, out);
        if (v.cpus() > 1) {
            for (CpuVerdict c : v.processors()) {
                out.printf("  cpu %d: %s, U = %s (%s): %s%n", c.cpu(), c.schedulable() ? "ok" : "FAILS",
                        c.utilisation(), fourPlaces(c.utilisation().doubleValue()), c.reason());
            }
        }
    }

    /** The response-or-violation cell. */
    private static String outcome(TaskVerdict t) {
        if (t.violation() != null) {
            DemandPoint p = t.violation();
            return "h(" + Durations.format(p.tNs()) + ")=" + Durations.format(p.demandNs()) + " > t"
                    + (p.earliest() ? "" : " (not nec. first)");
        }
        if (!t.hasResponse()) {
            return "-";
        }
        if (t.responseNs() == Long.MAX_VALUE) {
            return "MISS (overflow)";
        }
        String r = Durations.format(t.responseNs());
        return t.responseNs() <= t.task().deadlineNs() ? r : "MISS (>= " + r + ")";
    }

    private static void table(List<String[]> rows, PrintStream out) {
        int[] width = new int[rows.getFirst().length];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                width[i] = Math.max(width[i], row[i].length());
            }
        }
        for (String[] row : rows) {
            StringBuilder sb = new StringBuilder("  ");
            for (int i = 0; i < row.length; i++) {
                sb.append(String.format("%-" + width[i] + "s", row[i])).append(i + 1 < row.length ? "  " : "");
            }
            out.println(sb.toString().stripTrailing());
        }
    }

    private static Map<String, Object> json(Verdict v) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("schedulable", v.schedulable());
        o.put("policy", v.policy().cliName());
        o.put("placement", v.placement() == null ? "none" : v.placement().cliName());
        o.put("cpus", v.cpus());
        o.put("utilisation", v.utilisation().doubleValue());
        o.put("utilisation_exact", v.utilisation().toString());
        o.put("reason", v.reason());
        List<Object> tasks = new ArrayList<>();
        for (TaskVerdict t : v.tasks()) {
            Map<String, Object> j = new LinkedHashMap<>();
            j.put("cost_ns", t.task().costNs());
            j.put("period_ns", t.task().periodNs());
            j.put("deadline_ns", t.task().deadlineNs());
            if (t.hasResponse()) {
                j.put("response_ns", t.responseNs());
            }
            j.put("cpu", t.cpu());
            tasks.add(j);
        }
        o.put("tasks", tasks);
        List<Object> processors = new ArrayList<>();
        for (CpuVerdict c : v.processors()) {
            Map<String, Object> j = new LinkedHashMap<>();
            j.put("cpu", c.cpu());
            j.put("schedulable", c.schedulable());
            j.put("utilisation_exact", c.utilisation().toString());
            j.put("reason", c.reason());
            if (c.firstViolation() != null) {
                Map<String, Object> p = new LinkedHashMap<>();
                p.put("t_ns", c.firstViolation().tNs());
                p.put("demand_ns", c.firstViolation().demandNs());
                p.put("earliest", c.firstViolation().earliest());
                j.put("first_violation", p);
            }
            processors.add(j);
        }
        o.put("processors", processors);
        return o;
    }

    private static String fourPlaces(double printedOnly) {
        return String.format(Locale.ROOT, "%.4f", printedOnly);
    }
}
