package io.dsipanama.stream;

/**
 * The stream cannot be used by us, whatever its content: a bad name, no such stream, one already exists,
 * another owner, permissions that would let others in, not a regular file, or the producer (consumer) role is already held by a live process, or
 * its memory could not be locked as its spec asks. Nothing on disk
 * was changed.
 */
public final class StreamAccessException extends StreamException {
    private static final long serialVersionUID = 1L;

    /** Which check failed. */
    public enum Reason { BAD_NAME, NOT_FOUND, ALREADY_EXISTS, WRONG_OWNER, WRONG_MODE, NOT_REGULAR_FILE, PEER_ATTACHED,
        /** {@code lockInMemory} was asked for and mlock(2) failed (RLIMIT_MEMLOCK, see {@link MemoryLock}). */
        MEMORY_LOCK }

    private final Reason reason;

    StreamAccessException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
