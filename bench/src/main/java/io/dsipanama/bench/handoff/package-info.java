/**
 * Packet hand-off subjects behind one interface ({@link io.dsipanama.bench.handoff.HandoffTransport}),
 * the per-packet work they all do ({@link io.dsipanama.bench.handoff.Payload}), and the cross-process
 * harness ({@link io.dsipanama.bench.handoff.CrossProcess}). The JMH benchmarks in
 * {@code io.dsipanama.bench.jmh} drive the same transports across threads.
 */
package io.dsipanama.bench.handoff;
