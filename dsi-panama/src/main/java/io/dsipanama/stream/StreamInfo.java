package io.dsipanama.stream;

import io.dsipanama.ffm.support.ProcessIdentity;

/**
 * What {@link StreamDirectory#list()} reports about one stream file. For a file that could not be read as
 * a stream, {@link #problem()} says why and the other fields are empty.
 *
 * @param name     the stream's name
 * @param version  layout version as "major.minor", or null
 * @param spec     the recorded spec, or null
 * @param creator  creator pid and start time (pid 0: unknown)
 * @param producer producer pid and start time (pid 0: none attached yet)
 * @param consumer consumer pid and start time (pid 0: none attached yet)
 * @param stats    counters and cursors read without disturbing the stream, or null
 * @param problem  null for a valid stream, else the message of the check that failed
 */
public record StreamInfo(String name, String version, StreamSpec spec, ProcessIdentity creator,
                         ProcessIdentity producer, ProcessIdentity consumer, StreamStats stats, String problem) {
    static final ProcessIdentity NOBODY = new ProcessIdentity(0, ProcessIdentity.GONE);

    public boolean creatorAlive() {
        return creator.isAlive();
    }

    public boolean producerAlive() {
        return producer.isAlive();
    }

    public boolean consumerAlive() {
        return consumer.isAlive();
    }

    /** A valid stream that nobody can still be using: creator and both peers dead (or never attached). */
    public boolean stale() {
        return problem == null && !creatorAlive() && !producerAlive() && !consumerAlive();
    }
}
