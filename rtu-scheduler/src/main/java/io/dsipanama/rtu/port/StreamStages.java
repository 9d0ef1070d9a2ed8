package io.dsipanama.rtu.port;

import io.dsipanama.ffm.Time;
import io.dsipanama.rtu.Upcall;
import io.dsipanama.rtu.UpcallContext;
import io.dsipanama.stream.Claim;
import io.dsipanama.stream.Packet;
import io.dsipanama.stream.StreamConsumer;
import io.dsipanama.stream.StreamProducer;
import io.dsipanama.stream.StreamSpec;

/**
 * The two halves of a cross-process connection over a DSI stream. The source's handler writes straight
 * into the claimed region of the stream's shared data area, which is committed with the source job's
 * release as virtual time (the stream ticks in nanoseconds of CLOCK_MONOTONIC, which is host-wide); the
 * sink's handler reads the packet in place. Either handler sees an {@link RtBuffer} over that memory,
 * exactly as in one process.
 *
 * <p>Steady state allocates nothing: one flyweight per side, {@code tryClaim}/{@code poll} and
 * {@code commit}/{@code release} are allocation-free.
 */
final class StreamStages {
    private StreamStages() {
    }

    /** The source side: a periodic upcall that claims, fills and commits. */
    static final class Source implements Upcall {
        private final RtHandler handler;
        private final PortMetrics metrics;
        private final StreamProducer producer;
        private final StreamSpec spec;
        private final int maxBytes;
        private final RtBuffer buffer = new RtBuffer();

        Source(RtPort port, StreamProducer producer) {
            this.handler = port.handler();
            this.metrics = port.metrics();
            this.producer = producer;
            this.spec = producer.spec();
            this.maxBytes = port.maxBufferBytes();
        }

        @Override
        public void onUpcall(UpcallContext ctx) {
            Claim c = producer.tryClaim(maxBytes); // DROP_OLDEST: always room, the oldest unread packet goes
            if (c == null) {
                metrics.starved();
                return;
            }
            RtBuffer b = buffer.wrap(c.buffer(), c.offset(), c.length(), 0).prepare(producer.position(), ctx.releaseNs());
            boolean send = false;
            try {
                send = handler.onBuffer(b);
            } finally {
                metrics.handled();
                if (send) {
                    c.commit(spec.toVirtualTime(ctx.releaseNs()), b.length());
                } else {
                    metrics.dropped();
                    c.abort();
                }
            }
        }
    }

    /** The sink side: a reactive upcall, fired by the stream's waiter, that drains the stream. */
    static final class Sink implements Upcall {
        private final RtHandler handler;
        private final PortMetrics metrics;
        private final StreamConsumer consumer;
        private final StreamSpec spec;
        private final int maxPerJob;
        private final RtBuffer buffer = new RtBuffer();

        Sink(RtPort port, StreamConsumer consumer) {
            this.handler = port.handler();
            this.metrics = port.metrics();
            this.consumer = consumer;
            this.spec = consumer.spec();
            this.maxPerJob = spec.descriptorCount(); // one ring's worth: a fast producer cannot hold the job forever
        }

        @Override
        public void onUpcall(UpcallContext ctx) {
            RuntimeException failure = null;
            for (int i = 0; i < maxPerJob; i++) {
                Packet k = consumer.poll();
                if (k == null) {
                    break;
                }
                long lost = k.lostBefore();
                metrics.lost(lost);
                RtBuffer b = buffer.wrap(k.buffer(), k.offset(), k.length(), k.length()).lostBefore(lost);
                b.sequence(k.position(), spec.toMonotonicNs(k.virtualTime()));
                boolean used = false;
                try {
                    used = handler.onBuffer(b);
                } catch (RuntimeException e) {
                    failure = failure == null ? e : failure;
                }
                metrics.handled();
                boolean valid = k.isStillValid(); // after the handler's reads: were they the producer's packet?
                k.release();
                if (!valid) {
                    metrics.revoked();
                } else if (!used) {
                    metrics.dropped();
                } else {
                    metrics.endToEnd(Time.monotonicNs() - b.originNs());
                }
            }
            if (failure != null) {
                throw failure;
            }
        }
    }
}
