package io.dsipanama.rtu.port;

import io.dsipanama.stream.synthetic.Payload;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The application of the port tests: the same handler code for every test, in one process or across two.
 * The source writes a verifiable synthetic payload ({@link Payload}, sequence-seeded) of {@code length}
 * bytes; the sink checks every byte, the sequence order and what the link reported lost.
 */
final class PortApp {
    private PortApp() {
    }

    static RtHandler source(int length) {
        return b -> {
            Payload.fill(b.segment(), b.offset(), length, b.sequence(), 0);
            b.length(length);
            return true;
        };
    }

    /** A sink that verifies each payload; counters readable from any thread. */
    static final class Verifier implements RtHandler {
        final AtomicLong received = new AtomicLong();
        final AtomicLong verified = new AtomicLong();
        final AtomicLong outOfOrder = new AtomicLong();
        final AtomicLong lost = new AtomicLong();
        private final int payloadLength;
        private long expected;

        Verifier(int payloadLength) {
            this.payloadLength = payloadLength;
        }

        @Override
        public boolean onBuffer(RtBuffer b) {
            lost.lazySet(lost.get() + b.lostBefore());
            if (b.sequence() != expected + b.lostBefore()) {
                outOfOrder.lazySet(outOfOrder.get() + 1);
            }
            expected = b.sequence() + 1;
            if (b.length() >= payloadLength && Payload.sequence(b.segment(), b.offset(), payloadLength) == b.sequence()
                    && Payload.verify(b.segment(), b.offset(), payloadLength, 0)) {
                verified.lazySet(verified.get() + 1);
            }
            received.lazySet(received.get() + 1);
            return true;
        }

        @Override
        public String toString() {
            return "received " + received.get() + ", verified " + verified.get() + ", out of order " + outOfOrder.get()
                    + ", lost " + lost.get();
        }
    }
}
