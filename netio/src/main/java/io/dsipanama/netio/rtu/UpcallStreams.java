package io.dsipanama.netio.rtu;

import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

import io.dsipanama.netio.NetContext;
import io.dsipanama.netio.RingOwner;
import io.dsipanama.netio.stream.StreamReceiver;
import io.dsipanama.netio.stream.StreamSender;
import io.dsipanama.rtu.Reserve;
import io.dsipanama.rtu.stream.StreamTrigger;
import io.dsipanama.stream.StreamConsumer;
import io.dsipanama.stream.StreamProducer;

/**
 * Streams across hosts in library mode, on upcalls: the application admits a reserve (its QoS: budget and
 * period) and gets a {@link StreamReceiver} or {@link StreamSender} that runs only in that reserve's reactive
 * upcalls. The receiver's job runs when its ring completes something (datagrams arrived); the sender's when
 * its stream has data ({@link StreamTrigger}) or its ring completes (sends done). Both keep a ring timer of
 * {@link #LIVENESS_NS} for what announces itself by nothing (a producer that left, reassembly expiry).
 *
 * <p>An upcall must not block: the receiver claims with a timeout of 0, so under BLOCK a full stream makes
 * the frame a MISSING marker (counted {@code notStored}) rather than stalling the virtual processor; size the
 * stream for the consumer's lag.
 */
public final class UpcallStreams {
    /** The ring timer of both ends. */
    public static final long LIVENESS_NS = TimeUnit.MILLISECONDS.toNanos(20);

    private UpcallStreams() {
    }

    /** The app of a receiving ring: the {@link StreamReceiver} is a ring target, so each cycle has nothing more to do. */
    public record Receiving(StreamReceiver receiver) implements RingApp {
        @Override
        public int doWork(long nowNs) {
            return 0;
        }

        @Override
        public void close() {
            receiver.close();
        }
    }

    /** The app of a sending ring: takes the stream's packets and offers them each cycle. */
    public record Sending(StreamSender sender) implements RingApp {
        @Override
        public int doWork(long nowNs) {
            return sender.doWork(nowNs);
        }

        @Override
        public void close() {
            sender.close();
        }
    }

    /** Receives on {@code bind} into {@code into}, in reactive upcalls of {@code reserve}. */
    public static UpcallRing<Receiving> receive(Reserve reserve, NetContext ctx, long minInterArrivalNs,
                                                InetSocketAddress bind, StreamProducer into) {
        return UpcallRing.reactive(reserve, ctx, minInterArrivalNs, LIVENESS_NS,
                (RingOwner owner) -> new Receiving(new StreamReceiver(owner, bind, into, 0)));
    }

    /** Sends {@code from} to {@code to} as stream {@code streamId} in class {@code priority}, in reactive upcalls. */
    public static UpcallRing<Sending> send(Reserve reserve, NetContext ctx, long minInterArrivalNs, StreamConsumer from,
                                           InetSocketAddress to, int streamId, int priority) {
        return UpcallRing.reactive(reserve, ctx, minInterArrivalNs, LIVENESS_NS,
                (RingOwner owner) -> new Sending(new StreamSender(owner, from, to, streamId, priority)),
                new StreamTrigger(from));
    }
}
