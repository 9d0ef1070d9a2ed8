package io.dsipanama.bench.handoff;

import java.util.List;
import java.util.Locale;

import org.HdrHistogram.Histogram;

/**
 * One cross-process run: throughput over the measured packets as the consumer saw them, one-way latency
 * percentiles from the timestamps in the packets, and the hot threads' allocation.
 *
 * @param nsPerPacket            consumer time between the first and the last measured packet, per packet
 * @param producerAllocatedBytes bytes the producer's thread allocated over the measured packets
 * @param consumerAllocatedBytes bytes the consumer's thread allocated over the measured packets
 * @param backPressured          failed offers the producer retried (warm-up included)
 * @param gaps                   packets whose sequence number was not the next one
 * @param corrupt                packets whose bytes did not match (only counted with verification on)
 * @param latencies              one-way latency in ns of the measured packets
 */
public record RunResult(String transport, int size, long packets, long warmup, long rateHz, boolean verified,
                        double nsPerPacket, long producerAllocatedBytes, long consumerAllocatedBytes,
                        long backPressured, long gaps, long corrupt, Histogram latencies, String cpus) {

    public double packetsPerSecond() {
        return 1e9 / nsPerPacket;
    }

    /** Payload bytes per second, in MiB/s. */
    public double mibPerSecond() {
        return packetsPerSecond() * size / (1024.0 * 1024.0);
    }

    public long latencyAtPercentileNs(double percentile) {
        return latencies.getValueAtPercentile(percentile);
    }

    static final double[] PERCENTILES = {50, 90, 99, 99.9, 99.99};
    static final String[] PERCENTILE_NAMES = {"p50", "p90", "p99", "p99_9", "p99_99"};

    String toJson() {
        StringBuilder b = new StringBuilder(512).append('{');
        field(b, "transport", '"' + transport + '"');
        field(b, "sizeBytes", size);
        field(b, "packets", packets);
        field(b, "warmupPackets", warmup);
        field(b, "rateHz", rateHz);
        field(b, "verified", verified);
        field(b, "nsPerPacket", fmt(nsPerPacket));
        field(b, "packetsPerSecond", fmt(packetsPerSecond()));
        field(b, "mibPerSecond", fmt(mibPerSecond()));
        b.append("\"latencyNs\":{");
        for (int i = 0; i < PERCENTILES.length; i++) {
            field(b, PERCENTILE_NAMES[i], latencyAtPercentileNs(PERCENTILES[i]));
        }
        field(b, "max", latencies.getMaxValue());
        field(b, "mean", fmt(latencies.getMean()));
        b.setLength(b.length() - 1);
        b.append("},");
        field(b, "producerAllocatedBytes", producerAllocatedBytes);
        field(b, "consumerAllocatedBytes", consumerAllocatedBytes);
        field(b, "backPressured", backPressured);
        field(b, "gaps", gaps);
        field(b, "corrupt", corrupt);
        field(b, "cpus", '"' + cpus + '"');
        b.setLength(b.length() - 1);
        return b.append('}').toString();
    }

    private static void field(StringBuilder b, String name, Object value) {
        b.append('"').append(name).append("\":").append(value).append(',');
    }

    private static String fmt(double value) {
        return String.format(Locale.ROOT, "%.1f", value);
    }

    /** All results as one JSON document. */
    static String json(List<RunResult> results, String command) {
        StringBuilder b = new StringBuilder("{\"command\":\"").append(command.replace("\\", "\\\\").replace("\"", "\\\""))
                .append("\",\"jdk\":\"").append(Runtime.version()).append("\",\"results\":[\n");
        for (int i = 0; i < results.size(); i++) {
            b.append("  ").append(results.get(i).toJson()).append(i + 1 < results.size() ? ",\n" : "\n");
        }
        return b.append("]}\n").toString();
    }

    /** All results as a markdown table. */
    static String markdown(List<RunResult> results) {
        StringBuilder b = new StringBuilder(
                "| transport | size B | packets | rate | ns/packet | packets/s | MiB/s | p50 ns | p99 ns | p99.9 ns | max ns | alloc B total (prod/cons) | gaps | corrupt |\n"
                        + "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (RunResult r : results) {
            b.append(String.format(Locale.ROOT, "| %s | %d | %d | %s | %.1f | %.0f | %.0f | %d | %d | %d | %d | %d / %d | %d | %s |%n",
                    r.transport, r.size, r.packets, r.rateHz == 0 ? "max" : r.rateHz + "/s", r.nsPerPacket,
                    r.packetsPerSecond(), r.mibPerSecond(), r.latencyAtPercentileNs(50), r.latencyAtPercentileNs(99),
                    r.latencyAtPercentileNs(99.9), r.latencies.getMaxValue(),
                    r.producerAllocatedBytes, r.consumerAllocatedBytes,
                    r.gaps, r.verified ? Long.toString(r.corrupt) : "n/a"));
        }
        return b.toString();
    }
}
