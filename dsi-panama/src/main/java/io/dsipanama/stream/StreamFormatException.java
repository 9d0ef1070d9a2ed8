package io.dsipanama.stream;

/**
 * The file is there and ours, but its content is not a stream this code can map: wrong magic, another
 * major layout version, never published, shorter than its header says, or lengths and offsets that do not
 * fit the file or each other. Nothing was sliced or mapped beyond the file.
 */
public final class StreamFormatException extends StreamException {
    private static final long serialVersionUID = 1L;

    /** Which check failed. */
    public enum Reason { NOT_A_STREAM, OTHER_VERSION, NOT_PUBLISHED, SHORT_FILE, INCONSISTENT_LAYOUT }

    private final Reason reason;

    StreamFormatException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
