package io.dsipanama.rtu;

import io.dsipanama.ffm.Feature;
import io.dsipanama.ffm.SchedFeatures;

import java.util.List;

/**
 * Decides which backend a scheduler gets here, by really trying the real-time classes (through
 * {@link SchedFeatures}, on a short-lived probe thread), and says why. The fallback is chosen only when no
 * real-time class is permitted at all, which is a missing privilege (no CAP_SYS_NICE and RLIMIT_RTPRIO 0,
 * or a container without them); a SCHED_DEADLINE refusal while SCHED_FIFO works is not a privilege problem
 * (typically a narrowed CPU affinity) and is an error instead.
 *
 * <p>{@link #features()} is the probe {@code dsi doctor} can call: feature {@code rtu_scheduler}, available
 * when a real-time backend would be used.
 */
public final class BackendProbe {
    /** The backend, and the reason in one line. */
    public record Decision(Backend backend, String reason) {
    }

    private BackendProbe() {
    }

    /** The backend a scheduler asking for {@code wanted} gets; throws when the answer is "neither". */
    public static Decision decide(Backend wanted) {
        if (wanted == Backend.FALLBACK) {
            return new Decision(Backend.FALLBACK, "the non-real-time fallback was asked for");
        }
        Feature fifo = SchedFeatures.fifo();
        if (wanted == Backend.DEADLINE) {
            Feature deadline = SchedFeatures.deadline();
            if (deadline.available()) {
                return new Decision(Backend.DEADLINE, "SCHED_DEADLINE permitted: " + deadline.detail());
            }
            if (fifo.available()) {
                throw new IllegalStateException("SCHED_DEADLINE was asked for and is refused although real-time "
                        + "classes are permitted (not a privilege problem): " + deadline.detail());
            }
            return new Decision(Backend.FALLBACK, "no real-time class permitted (SCHED_DEADLINE: " + deadline.detail() + ")");
        }
        if (fifo.available()) {
            return new Decision(Backend.FIFO, "SCHED_FIFO permitted: " + fifo.detail());
        }
        return new Decision(Backend.FALLBACK, "no real-time class permitted (SCHED_FIFO: " + fifo.detail() + ")");
    }

    /** For {@code dsi doctor}: which backend a scheduler would use here, and why. */
    public static List<Feature> features() {
        Decision d = decide(Backend.AUTO);
        Feature deadline = SchedFeatures.deadline();
        String detail = d.backend() == Backend.FALLBACK
                ? "NON-REAL-TIME FALLBACK: upcalls would run as SCHED_OTHER threads without guarantees; " + d.reason()
                : "backend " + d.backend().description() + "; SCHED_DEADLINE backend "
                        + (deadline.available() ? "also available" : "unavailable") + "; " + d.reason();
        return List.of(new Feature("rtu_scheduler", d.backend().realTime(), detail));
    }
}
