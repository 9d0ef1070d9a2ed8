/**
 * JMH micro benchmarks and the multi-process harness that reproduce the seed papers' figures.
 */
package io.dsipanama.bench;
