/**
 * Admission control for processor capacity reserves: schedulability tests for EDF and rate/deadline
 * monotonic priorities, and partitioning over processors.
 *
 * <p>A reserve is a {@link io.dsipanama.rtu.admission.Task} {@code C/T/D} in nanoseconds.
 * {@link io.dsipanama.rtu.admission.Admission} answers "may this set run?" for a whole set, incrementally for
 * a registry adding or changing one reserve, and over several CPUs. Verdicts are decided with exact integer
 * and rational arithmetic: utilisation sums are {@link io.dsipanama.rtu.admission.Rational}s, the irrational
 * Liu-Layland bound is compared without being computed, and response times and processor demand are
 * saturating {@code long} nanoseconds. No verdict depends on a {@code double}.
 *
 * <p>Tests that can run out of range or out of steps reject rather than guess: admission must only admit
 * what it has proved.
 */
package io.dsipanama.rtu.admission;
