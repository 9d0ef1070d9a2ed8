package io.dsipanama.stream.synthetic;

import io.dsipanama.stream.Claim;
import io.dsipanama.stream.OverflowPolicy;
import io.dsipanama.stream.StreamMode;
import io.dsipanama.stream.StreamProducer;

import java.util.SplittableRandom;
import java.util.concurrent.locks.LockSupport;

/**
 * Writes synthetic packets ({@link Payload}) into a stream: sizes drawn log-uniformly between
 * {@code minSize} and {@code maxSize} (every order of magnitude equally often), at a fixed rate or as fast
 * as the stream takes them, with virtual time from the clock (real-time streams) or the sequence number.
 * Every data packet attempted gets the next sequence number, also one the stream refused, so the consumer
 * can check the loss it is told about against the gaps it sees.
 *
 * @param packets   data packets to attempt (-1: until {@code durationNs})
 * @param durationNs stop after this long (-1: until {@code packets})
 * @param minSize   smallest packet in bytes
 * @param maxSize   largest packet in bytes
 * @param rateHz    packets per second on absolute release times (0: as fast as possible)
 * @param blocking  wait for room (BLOCK) instead of spinning on {@code tryClaim}
 * @param missingEvery publish a MISSING marker instead of every n-th packet (0: never)
 * @param seed      seed of the size sequence
 * @param reclaimEvery after every n-th published packet, reclaim the oldest packet not yet released
 *                  ({@link StreamProducer#reclaimOldest()}; 0: never)
 */
public record ProduceRun(long packets, long durationNs, int minSize, int maxSize, long rateHz, boolean blocking,
                         int missingEvery, long seed, int reclaimEvery) {
    private static final long WAIT_NS = 1_000_000_000L;

    public ProduceRun {
        if (packets < 0 && durationNs < 0) {
            throw new IllegalArgumentException("give a packet count or a duration");
        }
        if (minSize < 0 || maxSize < minSize) {
            throw new IllegalArgumentException("sizes " + minSize + ":" + maxSize + " must satisfy 0 <= min <= max");
        }
        if (rateHz < 0 || missingEvery < 0 || reclaimEvery < 0) {
            throw new IllegalArgumentException("rate, missing and reclaim intervals must not be negative");
        }
    }

    /** Without reclaim. */
    public ProduceRun(long packets, long durationNs, int minSize, int maxSize, long rateHz, boolean blocking,
                      int missingEvery, long seed) {
        this(packets, durationNs, minSize, maxSize, rateHz, blocking, missingEvery, seed, 0);
    }

    /** What a run did. */
    public record Report(long attempted, long published, long bytes, long refused, long markers, long reclaimed,
                         long elapsedNs) {
    }

    /** Runs on the calling thread; returns when done. {@code stop} may end it early (checked per packet). */
    public Report run(StreamProducer producer, java.util.function.BooleanSupplier stop) {
        if (maxSize > producer.spec().maxPacketBytes()) {
            throw new IllegalArgumentException("max size " + maxSize + " exceeds the stream's max packet "
                    + producer.spec().maxPacketBytes());
        }
        SplittableRandom random = new SplittableRandom(seed);
        boolean clockTime = producer.spec().mode() == StreamMode.REAL_TIME;
        boolean mayWait = blocking && producer.spec().policy() == OverflowPolicy.BLOCK;
        long start = System.nanoTime();
        long periodNs = rateHz == 0 ? 0 : 1_000_000_000L / rateHz;
        long sequence = 0;
        long published = 0;
        long bytes = 0;
        long refused = 0;
        long markers = 0;
        long reclaimed = 0;
        long lastVt = Long.MIN_VALUE;
        while ((packets < 0 || sequence < packets) && (durationNs < 0 || System.nanoTime() - start < durationNs)
                && !stop.getAsBoolean()) {
            if (periodNs > 0) {
                long release = start + sequence * periodNs;
                long now;
                while ((now = System.nanoTime()) < release) {
                    LockSupport.parkNanos(release - now);
                }
            }
            long vt = Math.max(lastVt, clockTime ? producer.virtualTimeNow() : sequence);
            lastVt = vt;
            if (missingEvery > 0 && sequence % missingEvery == missingEvery - 1) {
                boolean marked;
                while (!(marked = producer.markMissing(vt)) && producer.spec().policy() == OverflowPolicy.BLOCK
                        && !stop.getAsBoolean() && !producer.isConsumerGone()) {
                    Thread.onSpinWait(); // a marker takes a descriptor like a packet; BLOCK loses nothing
                }
                if (marked) {
                    markers++;
                }
                sequence++;
                continue;
            }
            int size = size(random);
            Claim claim = null;
            for (int spins = 0; claim == null; spins++) {
                claim = mayWait ? producer.claim(size, WAIT_NS) : producer.tryClaim(size);
                if (claim != null || producer.spec().policy() != OverflowPolicy.BLOCK || stop.getAsBoolean()
                        || (spins & 0xFFFF) == 0xFFFF && producer.isConsumerGone()) {
                    break;
                }
                Thread.onSpinWait();
            }
            if (claim == null) {
                refused++;
            } else {
                Payload.fill(claim.buffer(), claim.offset(), size, sequence, vt);
                claim.commit(vt);
                published++;
                bytes += size;
                if (reclaimEvery > 0 && published % reclaimEvery == 0 && producer.reclaimOldest() >= 0) {
                    reclaimed++;
                }
            }
            sequence++;
        }
        return new Report(sequence, published, bytes, refused, markers, reclaimed, System.nanoTime() - start);
    }

    private int size(SplittableRandom random) {
        if (minSize == maxSize) {
            return minSize;
        }
        double lo = Math.log(Math.max(1, minSize));
        double hi = Math.log(maxSize + 1.0);
        int size = (int) Math.exp(lo + random.nextDouble() * (hi - lo));
        return Math.max(minSize, Math.min(maxSize, size));
    }
}
