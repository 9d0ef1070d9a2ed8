package io.dsipanama.stream;

/**
 * What one end of a stream says about its memory lock, in its {@code producer_lock} / {@code consumer_lock}
 * word of the header ({@link StreamHeaderDescriptor}). The ordinal is the stored value.
 */
public enum LockState {
    /** Not a {@code lockInMemory} stream, no end attached (or it closed), or a 1.1 file. */
    NONE,
    /** The end's mappings are mlocked in its process. */
    LOCKED,
    /** The end honoured a demotion request: its mappings are munlocked, ordinary swappable memory. */
    DEMOTED;

    private static final LockState[] VALUES = values();

    /** The state stored as {@code value}; anything unknown (a scribble) reads as {@link #NONE}. */
    public static LockState of(int value) {
        return value >= 0 && value < VALUES.length ? VALUES[value] : NONE;
    }
}
