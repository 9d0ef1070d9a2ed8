/**
 * DROPS Streaming Interface streams between processes: shared control and data areas, virtual time,
 * expiry, overflow policies, blocking and non-blocking hand-off, reclaim and memory chaining.
 */
package io.dsipanama.stream;
