package io.dsipanama.stream;

/** Whether a stream carries real-time data (stored in the header as {@code mode}, by ordinal; append only). */
public enum StreamMode {
    /**
     * Virtual time follows CLOCK_MONOTONIC through the stream's epoch and tick length; packets expire when
     * their validity runs out, and the stream's memory is expected to be locked.
     */
    REAL_TIME,
    /** Virtual time is only a position in the stream (e.g. playback of a recording); nothing expires by clock. */
    NON_REAL_TIME
}
