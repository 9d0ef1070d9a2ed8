package io.dsipanama.stream;

/** How a process maps a stream: which areas it may write. */
public enum StreamRole {
    /** Header, control and data areas read-write. */
    PRODUCER,
    /** Header and control read-write (positions, waiter flags, slot state); data area read-only. */
    CONSUMER,
    /** A monitor (list, doctor): like a consumer, and it never writes. */
    OBSERVER
}
