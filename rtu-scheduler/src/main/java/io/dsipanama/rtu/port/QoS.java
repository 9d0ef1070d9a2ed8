package io.dsipanama.rtu.port;

/**
 * The quality of service a connection or pipeline asks for (Coulson and Blair: rate, jitter, delay).
 *
 * @param periodNs the source runs once every {@code periodNs} (rate = 1 s / period), > 0
 * @param jitterNs how late after its nominal release the source may hand a buffer on: the source stage's
 *                 deadline is at most this, and the stream of a cross-process link is sized for it; > 0
 * @param delayNs  end to end: from the source's release to the completion of the last handler, > 0; split
 *                 into per-stage deadlines by {@link DelaySplit}
 */
public record QoS(long periodNs, long jitterNs, long delayNs) {
    public QoS {
        if (periodNs <= 0 || jitterNs <= 0 || delayNs <= 0) {
            throw new IllegalArgumentException("QoS needs periodNs > 0, jitterNs > 0, delayNs > 0: " + periodNs + ", "
                    + jitterNs + ", " + delayNs);
        }
    }

    /** {@code ratePerSecond} buffers a second. */
    public static QoS perSecond(long ratePerSecond, long jitterNs, long delayNs) {
        if (ratePerSecond <= 0 || ratePerSecond > 1_000_000_000L) {
            throw new IllegalArgumentException("rate " + ratePerSecond + "/s out of 1..1e9");
        }
        return new QoS(1_000_000_000L / ratePerSecond, jitterNs, delayNs);
    }
}
