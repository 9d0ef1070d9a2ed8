package io.dsipanama.netio;

/** Told, on the ring's thread, when a frame's memory is the caller's again. */
@FunctionalInterface
public interface SendListener {
    /**
     * Every datagram of the frame offered with {@code token} has completed (for zero-copy sends: its
     * notification has arrived), so the payload segment may be reused. {@code result} is the frame length,
     * or the first {@code -errno} a send of it returned.
     */
    void onReleased(long token, int result);
}
