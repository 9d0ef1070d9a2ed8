package io.dsipanama.rtu.admission;

import java.util.List;

/** A scheduling policy together with the test that admits task sets under it, on one processor. */
public enum Policy {
    /**
     * Earliest deadline first. {@code D = T} for every task: utilisation {@code <= 1} (Liu and Layland
     * 1973), necessary and sufficient. Otherwise the processor-demand criterion (Baruah, Rosier and Howell
     * 1990) decided with QPA (Zhang and Burns 2009), also necessary and sufficient.
     */
    EDF("edf", false),
    /**
     * Rate (deadline) monotonic, accepted when utilisation is within the Liu and Layland bound
     * {@code n(2^(1/n) - 1)}. Sufficient only.
     */
    RM_BOUND("rm-bound", true),
    /**
     * Rate (deadline) monotonic, accepted when {@code prod(U_i + 1) <= 2} (Bini, Buttazzo and Buttazzo
     * 2003). Sufficient only, and never rejects a set the Liu and Layland bound accepts.
     */
    RM_HYPERBOLIC("rm-hyperbolic", true),
    /**
     * Deadline monotonic (rate monotonic when {@code D = T}) with exact response-time analysis (Joseph and
     * Pandya 1986; Audsley et al. 1993). Necessary and sufficient for fixed priorities in that order.
     */
    RM_EXACT("rm-exact", true);

    private final String cliName;
    private final boolean fixedPriority;

    Policy(String cliName, boolean fixedPriority) {
        this.cliName = cliName;
        this.fixedPriority = fixedPriority;
    }

    /** The name {@code dsi admit --policy} takes. */
    public String cliName() {
        return cliName;
    }

    public boolean fixedPriority() {
        return fixedPriority;
    }

    /** The policy called {@code name} on the command line. */
    public static Policy fromCliName(String name) {
        for (Policy p : values()) {
            if (p.cliName.equals(name)) {
                return p;
            }
        }
        throw new IllegalArgumentException(
                "unknown policy '" + name + "'; known: edf, rm-bound, rm-hyperbolic, rm-exact");
    }

    /** Analyses {@code tasks} as the whole load of processor {@code cpu}. */
    CpuVerdict analyse(int cpu, List<Task> tasks) {
        return switch (this) {
            case EDF -> DemandAnalysis.analyse(cpu, tasks);
            case RM_BOUND -> UtilisationBounds.liuLayland(cpu, tasks);
            case RM_HYPERBOLIC -> UtilisationBounds.hyperbolic(cpu, tasks);
            case RM_EXACT -> ResponseTimeAnalysis.analyse(cpu, tasks);
        };
    }
}
