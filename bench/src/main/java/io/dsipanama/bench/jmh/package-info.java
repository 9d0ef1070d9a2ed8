/**
 * JMH benchmarks of the packet hand-off: {@link io.dsipanama.bench.jmh.MemcpyBenchmark} (the floor) and one
 * {@code *Benchmark} per {@link io.dsipanama.bench.handoff.HandoffTransport}, all extending
 * {@link io.dsipanama.bench.jmh.HandoffBenchmark}. The method is described in the module README.
 */
package io.dsipanama.bench.jmh;
