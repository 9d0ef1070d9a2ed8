/**
 * Real-time upcalls on processor capacity reserves: {@link io.dsipanama.rtu.RtScheduler} admits
 * {@link io.dsipanama.rtu.Reserve}s through the host-wide registry ({@link io.dsipanama.rtu.registry}) with the
 * tests of {@link io.dsipanama.rtu.admission}, runs their periodic and reactive upcalls on virtual processors in
 * SCHED_FIFO or SCHED_DEADLINE (or a loudly reported fallback), enforces budgets, lets servers charge clients,
 * and publishes metrics ({@link io.dsipanama.rtu.metrics}). The module README has the design and the
 * measurements.
 *
 * <p>Shared-memory access modes follow the vocabulary written once in {@link io.dsipanama.rtu.registry}; the
 * in-process hand-offs (doorbells, the enforcer's armed time, pending trigger events) use the same words.
 */
package io.dsipanama.rtu;
