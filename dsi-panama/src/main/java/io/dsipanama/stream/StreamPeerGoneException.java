package io.dsipanama.stream;

import io.dsipanama.ffm.support.ProcessIdentity;

/**
 * The other side of a stream died while we waited for it: a blocked consumer whose producer is gone (after
 * every packet it left was delivered), or a blocked producer whose consumer is gone. "Gone" means the pid
 * recorded in the peer block no longer runs with the recorded start time.
 */
public final class StreamPeerGoneException extends StreamException {
    private static final long serialVersionUID = 1L;

    private final StreamRole peer;
    private final transient ProcessIdentity identity;

    StreamPeerGoneException(StreamRole peer, ProcessIdentity identity, String message) {
        super(message);
        this.peer = peer;
        this.identity = identity;
    }

    /** Which side is gone: {@link StreamRole#PRODUCER} or {@link StreamRole#CONSUMER}. */
    public StreamRole peer() {
        return peer;
    }

    /** The pid and start time that were recorded for it. */
    public ProcessIdentity identity() {
        return identity;
    }
}
