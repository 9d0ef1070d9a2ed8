package io.dsipanama.stream.synthetic;

import io.dsipanama.stream.FaultWatch;
import io.dsipanama.stream.LossReason;
import io.dsipanama.stream.StreamCounter;
import io.dsipanama.stream.Packet;
import io.dsipanama.stream.StreamConsumer;
import io.dsipanama.stream.StreamPeerGoneException;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

/**
 * Reads synthetic packets ({@link Payload}) from a stream and checks everything a user would: every byte,
 * the checksum, virtual time never going back, sequence numbers only increasing, each packet still valid
 * until released (a packet the producer took back mid-read is counted apart, its bytes unjudged), no packet delivered after its expiry, and
 * the loss accounting: at every packet that carries its sequence number, the packets received plus the
 * losses reported (all reasons) since the first one equal the sequence distance.
 *
 * @param count     stop after this many packets received (-1: no limit)
 * @param timeoutNs stop when nothing arrives for this long (-1: wait for ever)
 * @param delayNs   hold each packet this long before reading and releasing it (a slow consumer, or one that
 *                  queues packets before processing them: the producer may take a held packet back meanwhile)
 * @param blocking  sleep on the futex ({@code take}) instead of spinning on {@code poll}
 */
public record ConsumeRun(long count, long timeoutNs, long delayNs, boolean blocking) {

    /** How a run ended. */
    public enum End { COUNT, TIMEOUT, PRODUCER_GONE, STOPPED }

    /** What a run saw. */
    public record Report(long received, long bytes, long checksumFailures, long orderViolations,
                         long accountingErrors, long invalidAfterRead, long expiredDelivered,
                         Map<LossReason, Long> lost, End end, long elapsedNs, long revokedByFault,
                         long revokedByCheck, long reuseFaults, FaultWatch.Mode faultWatch) {
        /** True if nothing was wrong (loss is not wrong: it is reported). */
        public boolean clean() {
            return checksumFailures == 0 && orderViolations == 0 && accountingErrors == 0 && expiredDelivered == 0;
        }

        public long lostTotal() {
            return lost.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    /** Runs on the calling thread. {@code stop} may end it early. */
    public Report run(StreamConsumer consumer, java.util.function.BooleanSupplier stop) {
        long start = System.nanoTime();
        var before = consumer.stats(); // the counters are the stream's: report what this run added
        long received = 0;
        long bytes = 0;
        long checksumFailures = 0;
        long orderViolations = 0;
        long accountingErrors = 0;
        long invalid = 0;
        long expiredDelivered = 0;
        long lostSoFar = 0;
        long baseline = Long.MIN_VALUE; // sequence - (received + lost) at the first packet with a sequence
        long lastSequence = -1;
        long lastVt = Long.MIN_VALUE;
        long lastArrival = System.nanoTime();
        End end = End.STOPPED;
        while (!stop.getAsBoolean()) {
            if (count >= 0 && received >= count) {
                end = End.COUNT;
                break;
            }
            Packet packet;
            long asked = System.nanoTime(); // the consumer's expiry check happens after this instant
            try {
                packet = blocking ? consumer.take(Math.min(timeoutNs < 0 ? 100_000_000L : timeoutNs, 100_000_000L))
                        : consumer.poll();
            } catch (StreamPeerGoneException gone) {
                end = End.PRODUCER_GONE;
                break;
            }
            long now = System.nanoTime();
            if (packet == null) {
                if (timeoutNs >= 0 && now - lastArrival >= timeoutNs) {
                    end = End.TIMEOUT;
                    break;
                }
                if (!blocking) {
                    if (consumer.isProducerGone()) {
                        try {
                            packet = consumer.take(1_000_000L); // drains, then reports what was refused last
                        } catch (StreamPeerGoneException gone) {
                            end = End.PRODUCER_GONE;
                            break;
                        }
                    }
                    if (packet == null) {
                        Thread.onSpinWait();
                        continue;
                    }
                } else {
                    continue;
                }
            }
            lastArrival = now;
            // expired already when we asked: the consumer must never have delivered it (one that expires
            // during the call was valid when the consumer checked it)
            if (consumer.spec().mode() == io.dsipanama.stream.StreamMode.REAL_TIME && asked >= packet.expiryNs()) {
                expiredDelivered++;
            }
            lostSoFar += packet.lostBefore();
            int length = packet.length();
            if (delayNs > 0) {
                LockSupport.parkNanos(delayNs);
            }
            boolean ok = Payload.verify(packet.buffer(), packet.offset(), length, packet.virtualTime());
            long sequence = Payload.sequence(packet.buffer(), packet.offset(), length);
            if (!packet.release()) {
                invalid++; // revoked while we held it: reported as REVOKED loss with the next packet
                continue;
            }
            if (!ok) {
                checksumFailures++;
            }
            if (sequence >= 0) {
                if (sequence <= lastSequence) {
                    orderViolations++;
                }
                lastSequence = sequence;
                if (baseline == Long.MIN_VALUE) {
                    baseline = sequence - (received + lostSoFar);
                } else if (sequence - baseline != received + lostSoFar) {
                    accountingErrors++;
                    baseline = sequence - (received + lostSoFar);
                }
            }
            if (packet.virtualTime() < lastVt) {
                orderViolations++;
            }
            lastVt = packet.virtualTime();
            received++;
            bytes += length;
        }
        Map<LossReason, Long> lost = new EnumMap<>(LossReason.class);
        for (LossReason r : LossReason.values()) {
            lost.put(r, consumer.lost(r));
        }
        var stats = consumer.stats();
        return new Report(received, bytes, checksumFailures, orderViolations, accountingErrors, invalid,
                expiredDelivered, lost, end, System.nanoTime() - start, added(before, stats, StreamCounter.REVOKED_BY_FAULT),
                added(before, stats, StreamCounter.REVOKED_BY_CHECK), added(before, stats, StreamCounter.REUSE_FAULTS),
                consumer.faultWatchMode());
    }

    private static long added(io.dsipanama.stream.StreamStats before, io.dsipanama.stream.StreamStats after,
                              StreamCounter counter) {
        return after.counter(counter) - before.counter(counter);
    }
}
