package io.dsipanama.stream;

/**
 * A value read from the shared header or control area is impossible (an offset or length outside the data
 * area, a state word of another position, a sequence that cannot happen, a peer word no process can have):
 * another process wrote garbage. The reader refused it before making any slice, counted it
 * ({@link StreamCounter#CORRUPTION_DETECTED} or {@link StreamCounter#PRODUCER_CORRUPTION_DETECTED}), and
 * stepped past it, repaired it or resynchronised; the stream stays usable, and the call may be repeated.
 * The message names the field and the value.
 */
public final class StreamCorruptionException extends StreamException {
    private static final long serialVersionUID = 1L;

    private final long position;

    StreamCorruptionException(long position, String message) {
        super(message);
        this.position = position;
    }

    /** The stream position whose descriptor was refused. */
    public long position() {
        return position;
    }
}
