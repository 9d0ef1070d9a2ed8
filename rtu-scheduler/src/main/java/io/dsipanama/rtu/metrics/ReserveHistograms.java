package io.dsipanama.rtu.metrics;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.SingleWriterRecorder;

/**
 * One reserve's release-jitter and response-time histograms (HdrHistogram). The virtual processor running
 * the reserve records into {@link SingleWriterRecorder}s (wait-free, no allocation); the publisher takes
 * their interval histograms and folds them into cumulative ones, which it writes into the metrics file.
 *
 * <p>Values are nanoseconds from {@link #LOWEST_NS} to {@link #HIGHEST_NS} with {@link #DIGITS} significant
 * digits (1 % resolution); a value outside is clamped into the range, so recording never throws.
 *
 * <p><b>Threading.</b> {@link #record} from the one virtual processor that runs the reserve; {@link #fold}
 * and the cumulative accessors from the publisher thread only.
 */
public final class ReserveHistograms {
    public static final long LOWEST_NS = 1;
    public static final long HIGHEST_NS = 60_000_000_000L;
    public static final int DIGITS = 2;

    private final SingleWriterRecorder jitterRecorder = new SingleWriterRecorder(LOWEST_NS, HIGHEST_NS, DIGITS);
    private final SingleWriterRecorder responseRecorder = new SingleWriterRecorder(LOWEST_NS, HIGHEST_NS, DIGITS);
    private final Histogram jitter = newHistogram();
    private final Histogram response = newHistogram();
    private Histogram jitterInterval;
    private Histogram responseInterval;

    public static Histogram newHistogram() {
        return new Histogram(LOWEST_NS, HIGHEST_NS, DIGITS);
    }

    /** Bytes {@code encodeIntoByteBuffer} may need for one histogram with these parameters. */
    public static int encodedCapacity() {
        return newHistogram().getNeededByteBufferCapacity();
    }

    /** Virtual processor: one job's release jitter (start - release) and response (completion - release). */
    public void record(long jitterNs, long responseNs) {
        jitterRecorder.recordValue(clamp(jitterNs));
        responseRecorder.recordValue(clamp(responseNs));
    }

    private static long clamp(long ns) {
        return ns < 0 ? 0 : Math.min(ns, HIGHEST_NS);
    }

    /** Publisher: moves what was recorded since the last call into the cumulative histograms. */
    public void fold() {
        jitterInterval = jitterRecorder.getIntervalHistogram(jitterInterval);
        responseInterval = responseRecorder.getIntervalHistogram(responseInterval);
        jitter.add(jitterInterval);
        response.add(responseInterval);
    }

    /** Publisher: the cumulative jitter histogram (valid until the next {@link #fold}). */
    public Histogram jitter() {
        return jitter;
    }

    public Histogram response() {
        return response;
    }
}
