package io.dsipanama.rtu.registry;

import io.dsipanama.ffm.Unistd;
import io.dsipanama.rtu.admission.Placement;
import io.dsipanama.rtu.admission.Policy;

/**
 * How a registry is laid out and decides. Used only by the process that creates the registry file; every
 * later opener adopts what the file says ({@link ReserveRegistry#config()}), so all processes of a host
 * admit with the same test and the same priority range.
 *
 * @param capacity           entries in the file
 * @param cpus               processors reserves are placed on (0..cpus-1)
 * @param policy             the admission test per processor: a fixed-priority one for SCHED_FIFO
 *                           schedulers, {@link Policy#EDF} for SCHED_DEADLINE
 * @param placement          which processor a new reserve tries first: {@link Placement#FFD} the lowest
 *                           numbered, {@link Placement#WFD} the least utilised
 * @param fifoPriorityTop    SCHED_FIFO priority of the most urgent reserve on a processor
 * @param fifoPriorityBottom lowest SCHED_FIFO priority a reserve may get; a processor holds at most
 *                           {@code top - bottom + 1} reserves under a fixed-priority policy
 */
public record RegistryConfig(int capacity, int cpus, Policy policy, Placement placement, int fifoPriorityTop,
                             int fifoPriorityBottom) {
    public static final int DEFAULT_CAPACITY = 256;
    public static final int DEFAULT_FIFO_PRIORITY_TOP = 80;
    public static final int DEFAULT_FIFO_PRIORITY_BOTTOM = 2;

    public RegistryConfig {
        if (capacity < 1 || capacity > 65_536) {
            throw new IllegalArgumentException("capacity must be 1..65536: " + capacity);
        }
        if (cpus < 1 || cpus > 1024) {
            throw new IllegalArgumentException("cpus must be 1..1024: " + cpus);
        }
        if (policy == null || placement == null) {
            throw new IllegalArgumentException("policy and placement are required");
        }
        if (fifoPriorityBottom < 1 || fifoPriorityTop > 99 || fifoPriorityBottom > fifoPriorityTop) {
            throw new IllegalArgumentException("FIFO priorities must satisfy 1 <= bottom <= top <= 99: "
                    + fifoPriorityBottom + ".." + fifoPriorityTop);
        }
    }

    /** Every online CPU, {@code policy}, first fit, the default capacity and priority range. */
    public static RegistryConfig defaults(Policy policy) {
        return new RegistryConfig(DEFAULT_CAPACITY, (int) Unistd.sysconf(Unistd._SC_NPROCESSORS_ONLN), policy,
                Placement.FFD, DEFAULT_FIFO_PRIORITY_TOP, DEFAULT_FIFO_PRIORITY_BOTTOM);
    }

    public RegistryConfig withCapacity(int newCapacity) {
        return new RegistryConfig(newCapacity, cpus, policy, placement, fifoPriorityTop, fifoPriorityBottom);
    }

    public RegistryConfig withCpus(int newCpus) {
        return new RegistryConfig(capacity, newCpus, policy, placement, fifoPriorityTop, fifoPriorityBottom);
    }

    public RegistryConfig withPlacement(Placement newPlacement) {
        return new RegistryConfig(capacity, cpus, policy, newPlacement, fifoPriorityTop, fifoPriorityBottom);
    }

    /** Reserves one processor can hold under a fixed-priority policy (one distinct priority each). */
    public int priorityLevels() {
        return fifoPriorityTop - fifoPriorityBottom + 1;
    }

    /** The stable number stored in the file for {@code policy}. */
    static int policyId(Policy policy) {
        return switch (policy) {
            case EDF -> 1;
            case RM_BOUND -> 2;
            case RM_HYPERBOLIC -> 3;
            case RM_EXACT -> 4;
        };
    }

    static Policy policyOf(int id) {
        return switch (id) {
            case 1 -> Policy.EDF;
            case 2 -> Policy.RM_BOUND;
            case 3 -> Policy.RM_HYPERBOLIC;
            case 4 -> Policy.RM_EXACT;
            default -> throw new IllegalArgumentException("unknown policy id " + id);
        };
    }

    static int placementId(Placement placement) {
        return placement == Placement.FFD ? 1 : 2;
    }

    static Placement placementOf(int id) {
        return switch (id) {
            case 1 -> Placement.FFD;
            case 2 -> Placement.WFD;
            default -> throw new IllegalArgumentException("unknown placement id " + id);
        };
    }
}
