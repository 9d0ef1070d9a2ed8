package io.dsipanama.stream;

import io.dsipanama.ffm.support.ProcessIdentity;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

import static io.dsipanama.stream.StreamHeaderDescriptor.*;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * A snapshot of a live stream taken from shared memory without disturbing it: only loads, no CAS and no
 * store, so an observer in another process ({@code bin/dsi streams}) cannot slow or confuse the peers.
 * Fields are read one by one (opaque or acquire), so the snapshot is not atomic: counters may be a packet
 * apart from each other and from the positions.
 *
 * @param counters          every {@link StreamCounter}'s value
 * @param producerPosition  positions published
 * @param consumerPosition  the consumer's cursor (taken, discarded or dropped below it)
 * @param freePosition      the producer's free cursor (reusable below it)
 * @param fillPackets       published positions the consumer has not passed yet
 * @param lastVirtualTime   virtual time of the newest commit
 * @param producer          producer pid and start time (pid 0: never attached, -2: closed)
 * @param consumer          consumer pid and start time
 * @param producerAlive     the producer process runs
 * @param consumerAlive     the consumer process runs
 * @param producerLivenessNs CLOCK_MONOTONIC of the producer's last heartbeat (attach or wait)
 * @param consumerLivenessNs CLOCK_MONOTONIC of the consumer's last heartbeat
 * @param faultWatch        how the (last) consumer learns of revocations: by userfaultfd, or OFF (generation
 *                          checks alone)
 * @param producerLock      the producer's memory lock: NONE, LOCKED or DEMOTED (see {@link MemoryLock})
 * @param consumerLock      the consumer's memory lock
 * @param lockDemand        demotion requests made so far ({@code lock_demand})
 * @param lockedBytes       the file's length if a live end holds it LOCKED, else 0: what demoting this stream
 *                          frees of pinned memory once every locked end answered (the pages are shared, so the
 *                          file counts once however many processes lock it)
 */
public record StreamStats(Map<StreamCounter, Long> counters, long producerPosition, long consumerPosition,
                          long freePosition, long fillPackets, long lastVirtualTime, ProcessIdentity producer,
                          ProcessIdentity consumer, boolean producerAlive, boolean consumerAlive,
                          long producerLivenessNs, long consumerLivenessNs, FaultWatch.Mode faultWatch,
                          LockState producerLock, LockState consumerLock, long lockDemand, long lockedBytes) {
    private static final VarHandle LONG = JAVA_LONG.varHandle();

    public StreamStats {
        counters = Collections.unmodifiableMap(new EnumMap<>(counters));
    }

    /** Reads a snapshot through any mapping of the stream (an {@link StreamRole#OBSERVER} one is enough). */
    public static StreamStats read(StreamMapping mapping) {
        MemorySegment h = mapping.headerSegment();
        StreamHeader header = mapping.header();
        Map<StreamCounter, Long> counters = new EnumMap<>(StreamCounter.class);
        for (StreamCounter c : StreamCounter.values()) {
            counters.put(c, header.opaqueCounter(c));
        }
        long consumerPosition = (long) LONG.getAcquire(h, (long) CONSUMER_POSITION_OFFSET);
        long producerPosition = (long) LONG.getAcquire(h, (long) PRODUCER_POSITION_OFFSET);
        ProcessIdentity producer = header.acquireProducer();
        ProcessIdentity consumer = header.acquireConsumer();
        LockState producerLock = LockBlock.state(h, StreamRole.PRODUCER);
        LockState consumerLock = LockBlock.state(h, StreamRole.CONSUMER);
        boolean producerAlive = producer.isAlive();
        boolean consumerAlive = consumer.isAlive();
        boolean pinned = (producerLock == LockState.LOCKED && producerAlive)
                || (consumerLock == LockState.LOCKED && consumerAlive);
        return new StreamStats(counters, producerPosition, consumerPosition,
                (long) LONG.getOpaque(h, (long) FREE_POSITION_OFFSET), Math.max(0, producerPosition - consumerPosition),
                (long) LONG.getOpaque(h, (long) LAST_VIRTUAL_TIME_OFFSET), producer, consumer, producerAlive,
                consumerAlive, header.opaqueProducerLiveness(), header.opaqueConsumerLiveness(),
                faultWatchMode((int) java.lang.foreign.ValueLayout.JAVA_INT.varHandle().getOpaque(h, (long) FAULT_WATCH_OFFSET)),
                producerLock, consumerLock, LockBlock.demand(h), pinned ? mapping.layout().fileLength() : 0);
    }

    private static FaultWatch.Mode faultWatchMode(int ordinal) {
        FaultWatch.Mode[] modes = FaultWatch.Mode.values();
        return ordinal >= 0 && ordinal < modes.length ? modes[ordinal] : FaultWatch.Mode.OFF;
    }

    public long counter(StreamCounter counter) {
        return counters.get(counter);
    }

    /**
     * Impossible shared values refused so far, by both sides: {@link StreamCounter#CORRUPTION_DETECTED} (the
     * consumer's) plus {@link StreamCounter#PRODUCER_CORRUPTION_DETECTED}. Counters live in the shared header
     * too, so a hostile peer can scribble on them: a statistic, never a proof.
     */
    public long corruptionDetected() {
        return counter(StreamCounter.CORRUPTION_DETECTED) + counter(StreamCounter.PRODUCER_CORRUPTION_DETECTED);
    }
}
