package io.dsipanama.stream;

/**
 * What the producer does when every descriptor holds an unconsumed packet (DSI §2: "either old or new data
 * can be dropped"). The ordinal is stored in the header ({@code policy}); append only.
 */
public enum OverflowPolicy {
    /** Overwrite the oldest unconsumed packet: fresh data matters more (the video-conference example). */
    DROP_OLDEST,
    /** Refuse the new packet: what is already queued must arrive. */
    DROP_NEWEST,
    /** The producer waits (futex on {@code space_available}) until the consumer frees a slot. */
    BLOCK
}
