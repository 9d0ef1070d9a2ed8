package io.dsipanama.ffm;

import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The fields of a {@code struct sched_attr} ({@link Sched#SCHED_ATTR}) that choose a scheduling class;
 * the utilisation clamps are left out (written as 0, ignored without {@code SCHED_FLAG_UTIL_CLAMP_*}).
 *
 * <p>Which fields count depends on the policy: {@code nice} for {@code SCHED_OTHER}/{@code SCHED_BATCH},
 * {@code priority} (1..99) for {@code SCHED_FIFO}/{@code SCHED_RR}, the three times for
 * {@code SCHED_DEADLINE}. Since Linux 6.12 a {@code SCHED_OTHER} thread reads back its EEVDF slice as
 * {@code runtimeNs}; writing a non-zero {@code runtimeNs} for {@code SCHED_OTHER} asks for a custom slice,
 * so {@link #other} writes 0 (the default slice).
 *
 * @param flags {@code SCHED_FLAG_*}
 */
public record SchedAttr(int policy, int priority, int nice, long runtimeNs, long deadlineNs, long periodNs,
                        long flags) {

    public static SchedAttr fifo(int priority) {
        return new SchedAttr(Sched.SCHED_FIFO, priority, 0, 0, 0, 0, 0);
    }

    public static SchedAttr deadline(long runtimeNs, long deadlineNs, long periodNs) {
        return new SchedAttr(Sched.SCHED_DEADLINE, 0, 0, runtimeNs, deadlineNs, periodNs, 0);
    }

    public static SchedAttr other(int nice) {
        return new SchedAttr(Sched.SCHED_OTHER, 0, nice, 0, 0, 0, 0);
    }

    /** Reads the fields of a {@link Sched#SCHED_ATTR} segment. */
    public static SchedAttr read(MemorySegment attr) {
        return new SchedAttr(attr.get(JAVA_INT, Sched.POLICY_OFFSET), attr.get(JAVA_INT, Sched.PRIORITY_OFFSET),
                attr.get(JAVA_INT, Sched.NICE_OFFSET), attr.get(JAVA_LONG, Sched.RUNTIME_OFFSET),
                attr.get(JAVA_LONG, Sched.DEADLINE_OFFSET), attr.get(JAVA_LONG, Sched.PERIOD_OFFSET),
                attr.get(JAVA_LONG, Sched.FLAGS_OFFSET));
    }

    /** Writes this into a {@link Sched#SCHED_ATTR} segment, clearing every other field. */
    public void write(MemorySegment attr) {
        attr.asSlice(0, Sched.SCHED_ATTR.byteSize()).fill((byte) 0);
        attr.set(JAVA_INT, Sched.SIZE_OFFSET, (int) Sched.SCHED_ATTR.byteSize());
        attr.set(JAVA_INT, Sched.POLICY_OFFSET, policy);
        attr.set(JAVA_LONG, Sched.FLAGS_OFFSET, flags);
        attr.set(JAVA_INT, Sched.NICE_OFFSET, nice);
        attr.set(JAVA_INT, Sched.PRIORITY_OFFSET, priority);
        attr.set(JAVA_LONG, Sched.RUNTIME_OFFSET, runtimeNs);
        attr.set(JAVA_LONG, Sched.DEADLINE_OFFSET, deadlineNs);
        attr.set(JAVA_LONG, Sched.PERIOD_OFFSET, periodNs);
    }

    /** True for {@code SCHED_FIFO}, {@code SCHED_RR} and {@code SCHED_DEADLINE}. */
    public boolean isRealTime() {
        return policy == Sched.SCHED_FIFO || policy == Sched.SCHED_RR || policy == Sched.SCHED_DEADLINE;
    }

    /** The fields that matter for the policy: {@code SCHED_DEADLINE(runtimeNs=.., deadlineNs=.., periodNs=..)}. */
    @Override
    public String toString() {
        String fields = switch (policy) {
            case Sched.SCHED_FIFO, Sched.SCHED_RR -> "priority=" + priority;
            case Sched.SCHED_DEADLINE -> "runtimeNs=" + runtimeNs + ", deadlineNs=" + deadlineNs + ", periodNs=" + periodNs;
            default -> "nice=" + nice + (runtimeNs != 0 ? ", sliceNs=" + runtimeNs : "");
        };
        return Sched.policyName(policy) + "(" + fields + (flags != 0 ? ", flags=0x" + Long.toHexString(flags) : "") + ")";
    }
}
