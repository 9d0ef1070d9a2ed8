/**
 * Per-reserve histograms in shared memory: release jitter and response time (HdrHistogram), recorded
 * wait-free by the virtual processors ({@link io.dsipanama.rtu.metrics.ReserveHistograms}), published by a
 * normal-priority thread into a scheduler's metrics file ({@link io.dsipanama.rtu.metrics.MetricsFile},
 * layout in {@link io.dsipanama.rtu.metrics.MetricsFileDescriptor}) and read from any process
 * ({@link io.dsipanama.rtu.metrics.MetricsReader}). Per-reserve counters live in the registry entry
 * ({@link io.dsipanama.rtu.registry.ReserveCounter}). Access modes: see {@link io.dsipanama.rtu.registry}.
 */
package io.dsipanama.rtu.metrics;
