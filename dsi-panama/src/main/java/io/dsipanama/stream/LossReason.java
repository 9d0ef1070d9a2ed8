package io.dsipanama.stream;

/**
 * Why packets a consumer never received were lost (DSI: loss is reported, never silent). Every position of
 * the stream a consumer passes without receiving it is counted under exactly one reason.
 */
public enum LossReason {
    /** Dropped by the overflow policy: overwritten under DROP_OLDEST or refused under DROP_NEWEST. */
    OVERFLOW,
    /** Its validity ended before it was taken (discarded by the consumer, or reclaimed by the producer). */
    EXPIRED,
    /** The producer said it had no data for that virtual time (a MISSING marker). */
    MISSING,
    /** Passed over by this consumer's spool forward. */
    SKIPPED,
    /** Taken back by the producer: a packet the consumer held (its release found it revoked). */
    REVOKED,
    /** The descriptor was corrupt and refused (see {@link StreamCorruptionException}). */
    CORRUPT;

    static final LossReason[] ALL = values();
}
