package io.dsipanama.bench.handoff;

import java.util.BitSet;

import io.dsipanama.ffm.Sched;

/**
 * Puts the producer and the consumer on different cores with sched_setaffinity(2) (ffm-bindings'
 * {@link Sched}). The two CPUs are the first two this process may use, or {@code -Ddsi.bench.cpus=P,C}.
 * With a single usable CPU nothing is pinned and {@link #describe()} says so: the results then measure
 * time slicing, not a hand-off between cores.
 */
public final class Affinity {
    public static final String CPUS_PROPERTY = "dsi.bench.cpus";

    private Affinity() {
    }

    /** {@code {producerCpu, consumerCpu}}, or an empty array when fewer than two CPUs are usable. */
    public static int[] producerAndConsumerCpus() {
        String chosen = System.getProperty(CPUS_PROPERTY);
        if (chosen != null) {
            String[] parts = chosen.split(",");
            if (parts.length != 2) {
                throw new IllegalArgumentException(CPUS_PROPERTY + " must be P,C (two CPU numbers): " + chosen);
            }
            return new int[] {Integer.parseInt(parts[0].trim()), Integer.parseInt(parts[1].trim())};
        }
        BitSet usable = Sched.getAffinity(0);
        int first = usable.nextSetBit(0);
        int second = first < 0 ? -1 : usable.nextSetBit(first + 1);
        return second < 0 ? new int[0] : new int[] {first, second};
    }

    /** Pins the calling thread to the producer's CPU; returns the CPU, or -1 when not pinned. */
    public static int pinProducer() {
        return pin(0);
    }

    /** Pins the calling thread to the consumer's CPU; returns the CPU, or -1 when not pinned. */
    public static int pinConsumer() {
        return pin(1);
    }

    private static int pin(int role) {
        int[] cpus = producerAndConsumerCpus();
        if (cpus.length < 2) {
            return -1;
        }
        Sched.setAffinity(0, cpus[role]);
        return cpus[role];
    }

    public static String describe() {
        int[] cpus = producerAndConsumerCpus();
        return cpus.length < 2 ? "not pinned (fewer than 2 usable CPUs)"
                : "producer on CPU " + cpus[0] + ", consumer on CPU " + cpus[1];
    }
}
