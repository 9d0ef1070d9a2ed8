/**
 * Real-time upcalls on processor capacity reserves: admission control, virtual processors on
 * SCHED_FIFO / SCHED_DEADLINE, enforcement, ports and pipelines.
 */
package io.dsipanama.rtu;
