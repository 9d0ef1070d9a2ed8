package io.dsipanama.bench.jmh;

import java.lang.management.ManagementFactory;

import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;

/**
 * Bytes allocated by one benchmark thread over the measurement iterations only, read from
 * {@code com.sun.management.ThreadMXBean} at iteration boundaries (outside the timed region). This
 * isolates the hot path: JMH's {@code -prof gc} counts every thread of the fork, including JMH's own
 * and a transport's helper threads (Aeron's driver and client conductors).
 *
 * <p>Threading: the thread it measures, only.
 */
final class AllocationMeter {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private boolean measuring;
    private long iterationStartBytes;
    private long iterationStartPackets;
    private long bytes;
    private long packets;

    void startIteration(IterationParams params, long packetsSoFar) {
        measuring = params.getType() == IterationType.MEASUREMENT;
        iterationStartPackets = packetsSoFar;
        iterationStartBytes = THREADS.getCurrentThreadAllocatedBytes();
    }

    void endIteration(long packetsSoFar) {
        long now = THREADS.getCurrentThreadAllocatedBytes();
        if (measuring) {
            bytes += now - iterationStartBytes;
            packets += packetsSoFar - iterationStartPackets;
        }
    }

    /** Printed in the fork's output, next to JMH's results. */
    void report(String thread) {
        System.out.printf("%n# hot path: %s thread allocated %d B over %d measured packets (%.4f B/packet)%n",
                thread, bytes, packets, packets == 0 ? 0.0 : (double) bytes / packets);
    }
}
