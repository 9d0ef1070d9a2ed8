package io.dsipanama.stream;

/**
 * Told when a packet the consumer holds was taken back by the producer (reclaim, expiry or DROP_OLDEST):
 * once per packet, on the consumer's thread, from inside {@link StreamConsumer#poll()}, {@code take} or
 * {@link Packet#release()}. Keep it short and do not call the consumer from it.
 */
@FunctionalInterface
public interface RevocationListener {
    /**
     * @param virtualTime the revoked packet's virtual time
     * @param position    its stream position
     * @param faultTimeNs CLOCK_MONOTONIC at which the page fault that told us was read by the resolver, or -1
     *                    when the state check found it (no fault seen first)
     */
    void onRevoked(long virtualTime, long position, long faultTimeNs);
}
