package io.dsipanama.stream;

import io.dsipanama.ffm.support.ProcessIdentity;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;

import static io.dsipanama.stream.StreamHeaderDescriptor.*;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The producer's view of whether a consumer is there to release the packets it holds. Used only when the
 * producer runs out of room and the oldest packet is still TAKEN: if the consumer that took it died or
 * closed, nobody will release it, so the producer takes it back itself (TAKEN to REVOKED) and a producer
 * alone keeps streaming.
 *
 * <p>Asking {@code /proc} costs a file read, so a verdict is kept for {@link #RECHECK_NS} as long as the
 * consumer's peer words (pid, start time) stay the same: a consumer that attaches changes them and is seen
 * at once. A consumer attaching between the check and the producer's CAS may lose that one packet to a
 * revocation, which it sees ({@code isStillValid()} false, counted REVOKED): never a torn read unnoticed.
 *
 * <p><b>Threading.</b> The producer's thread only.
 */
final class ConsumerLiveness {
    static final long RECHECK_NS = 100_000_000L;

    private static final VarHandle INT = JAVA_INT.varHandle();

    private final MemorySegment header;
    private int pid;
    private long startTime;
    private long checkedNs;
    private boolean absent;
    private boolean checked;

    ConsumerLiveness(MemorySegment header) {
        this.header = header;
    }

    /**
     * True if no live consumer holds the role: none attached, closed ({@link PeerAttachment#DETACHED}), an
     * impossible pid, or a pid that no longer runs with its start time. False while one is attaching.
     */
    boolean absent(long nowNs) {
        int p = (int) INT.getAcquire(header, (long) CONSUMER_PID_OFFSET);
        long start = header.get(JAVA_LONG, CONSUMER_START_TIME_OFFSET);
        if (checked && p == pid && start == startTime && nowNs - checkedNs < RECHECK_NS) {
            return absent;
        }
        pid = p;
        startTime = start;
        checkedNs = nowNs;
        checked = true;
        absent = p != PeerAttachment.ATTACHING && (p <= 0 || !ProcessIdentity.isAlive(p, start));
        return absent;
    }
}
