/**
 * Batched zero-copy network I/O on io_uring, priority-carrying packets and streams across hosts.
 */
package io.dsipanama.netio;
