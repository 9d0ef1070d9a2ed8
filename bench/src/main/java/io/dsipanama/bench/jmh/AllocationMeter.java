package io.dsipanama.bench.jmh;

import java.lang.management.ManagementFactory;
import java.util.HashMap;
import java.util.Map;

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

    /** Bytes allocated so far by every live thread, by "name#id". */
    static Map<String, Long> allThreads() {
        long[] ids = THREADS.getAllThreadIds();
        long[] bytes = THREADS.getThreadAllocatedBytes(ids);
        java.lang.management.ThreadInfo[] infos = THREADS.getThreadInfo(ids);
        Map<String, Long> byThread = new HashMap<>();
        for (int i = 0; i < ids.length; i++) {
            if (infos[i] != null && bytes[i] >= 0) {
                byThread.put(infos[i].getThreadName() + "#" + ids[i], bytes[i]);
            }
        }
        return byThread;
    }

    /** Prints, per thread, what it allocated since {@code before} (threads that allocated nothing are left out). */
    static void reportAllThreads(Map<String, Long> before) {
        StringBuilder b = new StringBuilder(String.format("%n# allocation by thread since the first measurement iteration:"));
        allThreads().entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
            long delta = e.getValue() - before.getOrDefault(e.getKey(), 0L);
            if (delta > 0) {
                b.append(' ').append(e.getKey()).append('=').append(delta).append(" B");
            }
        });
        System.out.println(b);
    }
}
