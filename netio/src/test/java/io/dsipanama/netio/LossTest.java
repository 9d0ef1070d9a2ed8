package io.dsipanama.netio;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static io.dsipanama.netio.NetTestSupport.LOOPBACK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Injected loss: a relay thread (java.nio, outside netio) sits between sender and receiver and drops the
 * datagrams a filter picks; the receiver must report exactly those frames lost, each with the right reason.
 */
@Timeout(60)
class LossTest {
    private static final int DATAGRAM = 1472;
    private static final int STRIDE = DATAGRAM - FrameHeaderDescriptor.LENGTH;

    record Loss(int stream, long first, long count, LossReason reason) {
    }

    /** Forwards datagrams from its own port to {@code to}, except those {@code drop} picks. */
    static final class Relay implements AutoCloseable {
        final DatagramChannel in;
        final Thread thread;
        final AtomicInteger dropped = new AtomicInteger();
        final AtomicInteger seen = new AtomicInteger();
        volatile boolean stop;

        Relay(InetSocketAddress to, Predicate<ByteBuffer> drop) throws IOException {
            in = DatagramChannel.open().bind(LOOPBACK);
            in.configureBlocking(false);
            thread = new Thread(() -> {
                ByteBuffer buf = ByteBuffer.allocateDirect(65536);
                try (DatagramChannel out = DatagramChannel.open().bind(LOOPBACK)) {
                    while (!stop) {
                        buf.clear();
                        SocketAddress from = in.receive(buf);
                        if (from == null) {
                            Thread.onSpinWait();
                            continue;
                        }
                        buf.flip();
                        seen.incrementAndGet();
                        if (drop.test(buf.duplicate().order(ByteOrder.BIG_ENDIAN))) {
                            dropped.incrementAndGet();
                        } else {
                            out.send(buf, to);
                        }
                    }
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            }, "relay");
            thread.start();
        }

        InetSocketAddress address() throws IOException {
            return (InetSocketAddress) in.getLocalAddress();
        }

        @Override
        public void close() throws IOException {
            stop = true;
            try {
                thread.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            in.close();
        }
    }

    static long seq(ByteBuffer b) {
        return b.getLong(FrameHeaderDescriptor.SEQUENCE_OFFSET);
    }

    static int offset(ByteBuffer b) {
        return b.getInt(FrameHeaderDescriptor.FRAGMENT_OFFSET_OFFSET);
    }

    @Test
    void droppedFragmentExpiresAndDroppedFrameIsAGap() throws Exception {
        int frames = 10;
        int frameLength = 10 * STRIDE;
        // frame 3 loses one middle fragment; frame 6 loses every fragment
        Predicate<ByteBuffer> drop = b -> (seq(b) == 3 && offset(b) == 4 * STRIDE) || seq(b) == 6;
        NetContext ctx = new NetContext().datagramBytes(DATAGRAM).reassemblyTimeoutNs(2_000_000_000L);
        List<Long> delivered = new ArrayList<>();
        List<Loss> losses = Collections.synchronizedList(new ArrayList<>());
        try (Arena arena = Arena.ofShared(); RingOwner owner = new RingOwner(ctx)) {
            UdpReceiver rx = UdpReceiver.throughput(owner, LOOPBACK);
            rx.handlerForAll((h, buf, off, len) -> delivered.add(h.sequence()));
            rx.lossListener((s, first, count, reason) -> losses.add(new Loss(s, first, count, reason)));
            try (Relay relay = new Relay(rx.localAddress(), drop)) {
                int[] released = {0};
                UdpSender tx = new UdpSender(owner, relay.address(), (token, result) -> released[0]++);
                OutgoingFrame frame = new OutgoingFrame().streamId(42).priority(5).deadlineUs(1_000_000);
                MemorySegment payload = arena.allocate(frameLength, 4096);
                NetTestSupport.fill(payload, 1);
                for (int i = 0; i < frames; i++) {
                    assertTrue(tx.offer(frame.sequence(i), payload, i));
                    int want = i + 1;
                    // one frame at a time through the relay, so its socket buffer never overflows
                    NetTestSupport.runUntil(owner, () -> released[0] == want && relay.seen.get() == 10 * want, 5_000,
                            "frame " + i + " through the relay");
                }
                NetTestSupport.runUntil(owner, () -> delivered.size() == frames - 2 && losses.size() == 2, 10_000,
                        "8 frames delivered and 2 reported lost (" + delivered + ", " + losses + ")");
                NetTestSupport.runFor(owner, 50);
                assertEquals(1 + frames, relay.dropped.get(), "the filter dropped one fragment of 3 and all of 6");
            }
            assertEquals(List.of(0L, 1L, 2L, 4L, 5L, 7L, 8L, 9L), delivered);
            assertTrue(losses.contains(new Loss(42, 6, 1, LossReason.SEQUENCE_GAP)), losses.toString());
            assertTrue(losses.contains(new Loss(42, 3, 1, LossReason.EXPIRED)), losses.toString());
            assertEquals(1, owner.counters().get(NetCounter.LOST_EXPIRED));
            assertEquals(1, owner.counters().get(NetCounter.LOST_SEQUENCE_GAP));
            assertEquals(0, rx.partialFrames(), "the incomplete frame's memory was given back");
            assertEquals(0, rx.reassemblyBytesUsed());
        }
    }

    @Test
    void incompleteLowPriorityFramesAreEvictedForAHigherOne() throws Exception {
        NetContext ctx = new NetContext().datagramBytes(DATAGRAM).maxPartialFrames(2)
                .reassemblyTimeoutNs(60_000_000_000L);
        List<Long> delivered = new ArrayList<>();
        List<Loss> losses = new ArrayList<>();
        try (RingOwner owner = new RingOwner(ctx); DatagramChannel raw = DatagramChannel.open().bind(LOOPBACK)) {
            UdpReceiver rx = UdpReceiver.throughput(owner, LOOPBACK);
            rx.handlerForAll((h, buf, off, len) -> delivered.add(h.sequence()));
            rx.lossListener((s, first, count, reason) -> losses.add(new Loss(s, first, count, reason)));
            InetSocketAddress to = rx.localAddress();
            int frameLength = 2 * STRIDE;
            // two low-priority frames (streams 1 and 2) get their first fragment only: both slots taken
            raw.send(NetTestSupport.datagram(1, 0, 1, frameLength, STRIDE, 0, STRIDE, 0), to);
            raw.send(NetTestSupport.datagram(2, 0, 2, frameLength, STRIDE, 0, STRIDE, 0), to);
            NetTestSupport.runUntil(owner, () -> rx.partialFrames() == 2, 5_000, "two partial frames");
            // a third low one (priority 1) finds no room and cannot evict an equal or higher priority
            raw.send(NetTestSupport.datagram(3, 0, 1, frameLength, STRIDE, 0, STRIDE, 0), to);
            NetTestSupport.runUntil(owner, () -> owner.counters().get(NetCounter.DROP_REASSEMBLY_FULL) == 1, 5_000,
                    "refused");
            // a high one evicts the lowest (stream 1, priority 1) and completes
            raw.send(NetTestSupport.datagram(9, 0, 6, frameLength, STRIDE, 0, STRIDE, 0), to);
            raw.send(NetTestSupport.datagram(9, 0, 6, frameLength, STRIDE, STRIDE, STRIDE, 0), to);
            NetTestSupport.runUntil(owner, () -> delivered.size() == 1, 5_000, "the high frame delivered");
            assertEquals(List.of(new Loss(1, 0, 1, LossReason.EVICTED)), losses);
            assertEquals(1, owner.counters().get(NetCounter.LOST_EVICTED));
            assertEquals(1, rx.partialFrames(), "stream 2's frame is still waiting");
        }
    }
}
