package io.dsipanama.rtu.port;

import io.dsipanama.rtu.metrics.ReserveHistograms;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.SingleWriterRecorder;

import java.util.concurrent.atomic.AtomicLong;

/**
 * What one port did, besides its reserve's counters (registry) and jitter/response histograms (metrics
 * file), which carry the port's name: buffers handled, dropped by the handler, not had (a source found no
 * free buffer or stream room), lost on the way (a cross-process link's losses, by the stream's
 * accounting), revoked while being read, and, for the last port of a connection, the end-to-end delay
 * (origin to completion of its handler) in an HdrHistogram with the metrics package's parameters.
 *
 * <p><b>Threading.</b> The counters and the recorder are written by the port's virtual processor only
 * (wait-free, no allocation); any thread may read them.
 */
public final class PortMetrics {
    private final AtomicLong handled = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong starved = new AtomicLong();
    private final AtomicLong lost = new AtomicLong();
    private final AtomicLong revoked = new AtomicLong();
    private final SingleWriterRecorder endToEndRecorder = new SingleWriterRecorder(ReserveHistograms.LOWEST_NS,
            ReserveHistograms.HIGHEST_NS, ReserveHistograms.DIGITS);
    private final Histogram endToEnd = ReserveHistograms.newHistogram();
    private Histogram interval;

    void handled() {
        handled.lazySet(handled.get() + 1);
    }

    void dropped() {
        dropped.lazySet(dropped.get() + 1);
    }

    void starved() {
        starved.lazySet(starved.get() + 1);
    }

    void lost(long n) {
        if (n != 0) {
            lost.lazySet(lost.get() + n);
        }
    }

    void revoked() {
        revoked.lazySet(revoked.get() + 1);
    }

    void endToEnd(long delayNs) {
        endToEndRecorder.recordValue(delayNs < 0 ? 0 : Math.min(delayNs, ReserveHistograms.HIGHEST_NS));
    }

    /** Buffers the handler was upcalled with. */
    public long handledCount() {
        return handled.get();
    }

    /** Buffers the handler returned false for. */
    public long droppedCount() {
        return dropped.get();
    }

    /** Source releases that found no buffer to fill (every one in flight, or no room in the stream). */
    public long starvedCount() {
        return starved.get();
    }

    /** Buffers lost before reaching this port (a stream's overflow or expiry; never in-process). */
    public long lostCount() {
        return lost.get();
    }

    /** Buffers the stream's producer took back while this handler read them (read, then found invalid). */
    public long revokedCount() {
        return revoked.get();
    }

    /** The end-to-end delays recorded so far (last port only), a copy. */
    public synchronized Histogram endToEnd() {
        interval = endToEndRecorder.getIntervalHistogram(interval);
        endToEnd.add(interval);
        return endToEnd.copy();
    }

    @Override
    public String toString() {
        Histogram e2e = endToEnd();
        return "handled " + handledCount() + ", dropped " + droppedCount() + ", starved " + starvedCount() + ", lost "
                + lostCount() + ", revoked " + revokedCount() + (e2e.getTotalCount() == 0 ? "" : ", end-to-end p50 "
                + e2e.getValueAtPercentile(50) / 1000 + " us, p99 " + e2e.getValueAtPercentile(99) / 1000 + " us, max "
                + e2e.getMaxValue() / 1000 + " us");
    }
}
