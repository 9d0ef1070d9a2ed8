package io.dsipanama.rtu.port;

import io.dsipanama.ffm.Time;
import io.dsipanama.rtu.Upcall;
import io.dsipanama.rtu.UpcallContext;

/**
 * The upcalls of an in-process connection or pipeline (Coulson and Blair §XI): buffers circulate by
 * reference from the source through every stage to the last one, which gives them back to the source
 * through the {@code free} ring. Each ring has one producer and one consumer virtual processor, so nothing
 * is locked; a stage's handler works on the very buffer the previous stage's handler returned.
 *
 * <p>A buffer a stage drops (handler returned false) travels on marked, unseen by later handlers, so it
 * still returns to the source the one way buffers return (keeping every ring single-producer). A handler
 * that throws counts as a drop; the first exception of a job is rethrown after the job has passed every
 * buffer on, so the virtual processor counts it as an upcall error.
 *
 * <p>Steady state allocates nothing: rings of preallocated references, atomic counters, a wait-free recorder.
 */
final class LocalStages {
    private LocalStages() {
    }

    /** The source: a periodic upcall that fills a free buffer and sends it to the next stage. */
    static final class Source implements Upcall {
        private final RtHandler handler;
        private final PortMetrics metrics;
        private final HandOff free;
        private final HandOff out;
        private RtBuffer spare;
        private long sent;

        Source(RtPort port, HandOff free, HandOff out) {
            this.handler = port.handler();
            this.metrics = port.metrics();
            this.free = free;
            this.out = out;
        }

        @Override
        public void onUpcall(UpcallContext ctx) {
            RtBuffer b = spare != null ? spare : free.poll();
            spare = null;
            if (b == null) {
                metrics.starved(); // every buffer is in flight: the downstream stages are behind
                return;
            }
            b.prepare(sent, ctx.releaseNs());
            boolean send = false;
            try {
                send = handler.onBuffer(b);
            } finally {
                metrics.handled();
                if (send && out.send(b)) {
                    sent++;
                } else {
                    metrics.dropped();
                    spare = b; // not sent: the source fills it again next time
                }
            }
        }
    }

    /** A stage or the sink: a reactive upcall that drains its incoming ring. */
    static final class Stage implements Upcall {
        private final RtHandler handler;
        private final PortMetrics metrics;
        private final HandOff in;
        private final HandOff out;
        private final HandOff free;

        /** {@code out} null for the last stage, which gives buffers back through {@code free}. */
        Stage(RtPort port, HandOff in, HandOff out, HandOff free) {
            this.handler = port.handler();
            this.metrics = port.metrics();
            this.in = in;
            this.out = out;
            this.free = free;
        }

        @Override
        public void onUpcall(UpcallContext ctx) {
            RuntimeException failure = null;
            for (RtBuffer b; (b = in.poll()) != null; ) {
                if (!b.dropped) {
                    try {
                        b.dropped = !handler.onBuffer(b);
                    } catch (RuntimeException e) {
                        b.dropped = true;
                        failure = failure == null ? e : failure;
                    }
                    metrics.handled();
                    if (b.dropped) {
                        metrics.dropped();
                    } else if (out == null) {
                        metrics.endToEnd(Time.monotonicNs() - b.originNs());
                    }
                }
                if (out != null) {
                    out.send(b);
                } else {
                    free.offer(b);
                }
            }
            if (failure != null) {
                throw failure;
            }
        }
    }
}
