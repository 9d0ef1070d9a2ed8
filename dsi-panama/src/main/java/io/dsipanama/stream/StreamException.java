package io.dsipanama.stream;

/** Something about a named stream is wrong; the message says which check failed and why. */
public abstract sealed class StreamException extends RuntimeException
        permits StreamAccessException, StreamFormatException, StreamPeerGoneException, StreamCorruptionException {
    private static final long serialVersionUID = 1L;

    StreamException(String message) {
        super(message);
    }

    StreamException(String message, Throwable cause) {
        super(message, cause);
    }
}
