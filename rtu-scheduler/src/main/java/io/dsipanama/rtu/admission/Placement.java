package io.dsipanama.rtu.admission;

/**
 * How tasks are partitioned over processors. Both heuristics take the tasks in order of decreasing
 * utilisation {@code C/T} (ties: earlier in the input first) and place each on one processor for good; a
 * processor accepts a task when the policy's test admits the tasks already there plus this one.
 */
public enum Placement {
    /** First-fit decreasing: the lowest-numbered processor that admits the task. */
    FFD("ffd"),
    /**
     * Worst-fit decreasing: the processor with the lowest utilisation so far (ties: lowest number). When the
     * test is exact rather than a utilisation bound, a task refused there is offered to the others in order
     * of increasing utilisation before it counts as fitting nowhere.
     */
    WFD("wfd");

    private final String cliName;

    Placement(String cliName) {
        this.cliName = cliName;
    }

    /** The name {@code dsi admit --placement} takes. */
    public String cliName() {
        return cliName;
    }

    public static Placement fromCliName(String name) {
        for (Placement p : values()) {
            if (p.cliName.equals(name)) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown placement '" + name + "'; known: ffd, wfd");
    }
}
