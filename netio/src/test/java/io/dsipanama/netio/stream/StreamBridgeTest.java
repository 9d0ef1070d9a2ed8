package io.dsipanama.netio.stream;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Timeout;

import io.dsipanama.netio.FrameHeaderDescriptor;
import io.dsipanama.netio.NetContext;
import io.dsipanama.netio.RingOwner;
import io.dsipanama.stream.LossReason;
import io.dsipanama.stream.OverflowPolicy;
import io.dsipanama.stream.Packet;
import io.dsipanama.stream.StreamConsumer;
import io.dsipanama.stream.StreamDirectory;
import io.dsipanama.stream.StreamMode;
import io.dsipanama.stream.StreamPeerGoneException;
import io.dsipanama.stream.StreamProducer;
import io.dsipanama.stream.StreamSpec;
import io.dsipanama.stream.synthetic.ConsumeRun;
import io.dsipanama.stream.synthetic.Payload;
import io.dsipanama.stream.synthetic.ProduceRun;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A stream produced with {@link ProduceRun}, sent by {@link StreamSender} over loopback (optionally through a
 * dropping relay), received by {@link StreamReceiver} into a second stream and consumed there: bytes, virtual
 * time and the loss accounting checked at every packet.
 */
@Timeout(60)
class StreamBridgeTest {
    private final Path root = Path.of("/dev/shm", "dsi-bridge-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
    private final StreamDirectory dir = new StreamDirectory(root);
    private final ExecutorService pool = Executors.newCachedThreadPool();
    private final AtomicBoolean stop = new AtomicBoolean();

    @AfterEach
    void cleanUp() throws IOException, InterruptedException {
        stop.set(true);
        pool.shutdown();
        assertTrue(pool.awaitTermination(20, TimeUnit.SECONDS), "bridge threads did not stop");
        if (Files.exists(root)) {
            try (Stream<Path> s = Files.walk(root)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    private static StreamSpec spec(int maxPacket, StreamMode mode) {
        return StreamSpec.builder().descriptorCount(256).dataBytes(Math.max(1 << 20, 64L * maxPacket))
                .maxPacketBytes(maxPacket).policy(OverflowPolicy.BLOCK).mode(mode).build();
    }

    /** The receiving side on its own ring thread; completes with the receiver's numbers once the stream ended. */
    private CompletableFuture<long[]> receive(StreamProducer into, AtomicReference<InetSocketAddress> bound, boolean land) {
        return CompletableFuture.supplyAsync(() -> {
            try (RingOwner owner = new RingOwner(new NetContext().conclude());
                 StreamReceiver r = new StreamReceiver(owner, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                         into, TimeUnit.SECONDS.toNanos(1), land)) {
                assertEquals(land, r.landsInClaims());
                bound.set(r.localAddress());
                while (!r.ended() && !stop.get()) {
                    if (owner.doWork(System.nanoTime()) == 0) {
                        owner.idle(TimeUnit.MILLISECONDS.toNanos(1));
                    }
                }
                return new long[] {r.packets(), r.markedMissing(), r.notStored(), r.upstreamLost(LossReason.MISSING),
                        r.senderPackets(), r.ended() ? 1 : 0, r.landedInPlace()};
            }
        }, pool);
    }

    /** The sending side: consumes {@code name} and sends it to {@code to} until the stream's producer left. */
    private CompletableFuture<Long> send(String name, InetSocketAddress to) {
        return CompletableFuture.supplyAsync(() -> {
            try (StreamConsumer consumer = StreamConsumer.open(dir, name);
                 RingOwner owner = new RingOwner(new NetContext().conclude());
                 StreamSender s = new StreamSender(owner, consumer, to, StreamFrameDescriptor.streamId(name), 3)) {
                while (!s.finished() && !stop.get()) {
                    long now = System.nanoTime();
                    int work = s.doWork(now) + owner.doWork(now);
                    if (work == 0) {
                        owner.idle(TimeUnit.MICROSECONDS.toNanos(200));
                    }
                }
                assertEquals(0, s.sendErrors());
                return s.packets();
            }
        }, pool);
    }

    /**
     * Reads the far stream until its producer left: every byte, virtual time = the payload's sequence number,
     * and at every packet sequence = packets received + losses reported. Returns received, lost, fragmented
     * (larger than one datagram), MISSING.
     */
    private long[] verifyAll(StreamConsumer far) {
        long got = 0;
        long lost = 0;
        long fragmented = 0;
        while (!stop.get()) {
            Packet p;
            try {
                p = far.take(TimeUnit.MILLISECONDS.toNanos(100));
            } catch (StreamPeerGoneException gone) {
                break;
            }
            if (p == null) {
                continue;
            }
            lost += p.lostBefore();
            long seq = Payload.sequence(p.buffer(), p.offset(), p.length());
            assertTrue(Payload.verify(p.buffer(), p.offset(), p.length(), p.virtualTime()), "bytes of " + p);
            if (seq >= 0) {
                assertEquals(seq, p.virtualTime(), "virtual time of " + p);
                assertEquals(seq, got + lost, "loss accounting at " + p);
            }
            fragmented += p.length() > 1472 - FrameHeaderDescriptor.LENGTH ? 1 : 0;
            got++;
            assertTrue(p.release());
        }
        return new long[] {got, lost, fragmented, far.lost(LossReason.MISSING)};
    }

    /** The producer leaves the stream (its consumer, here the bridge, then sees it gone); closing again is a no-op. */
    private static void leave(StreamProducer producer) {
        producer.close();
    }

    private static InetSocketAddress await(AtomicReference<InetSocketAddress> ref) throws InterruptedException {
        while (ref.get() == null) {
            Thread.sleep(5);
        }
        return ref.get();
    }

    /** land: receives land in stream claims (one-datagram packets committed in place, no copy). */
    @ParameterizedTest(name = "land in claims: {0}")
    @ValueSource(booleans = {false, true})
    void everyPacketArrivesWithItsBytesVirtualTimeAndUpstreamLoss(boolean land) throws Exception {
        // non-real-time: ProduceRun makes virtual time = sequence number, so the far side can check it exactly
        try (StreamProducer a = StreamProducer.create(dir, "a", spec(8192, StreamMode.NON_REAL_TIME));
             StreamProducer b = StreamProducer.create(dir, "b", spec(8192, StreamMode.NON_REAL_TIME));
             StreamConsumer far = StreamConsumer.open(dir, "b")) {
            AtomicReference<InetSocketAddress> bound = new AtomicReference<>();
            CompletableFuture<long[]> received = receive(b, bound, land);
            CompletableFuture<long[]> checked = CompletableFuture.supplyAsync(() -> verifyAll(far), pool);
            CompletableFuture<Long> sent = send("a", await(bound));
            // 1..8192 B: one to six datagrams each; every 50th a MISSING marker (an upstream loss)
            ProduceRun.Report produced = new ProduceRun(3000, -1, 1, 8192, 10_000, true, 50, 42).run(a, stop::get);
            leave(a);
            long[] rx = received.get(40, TimeUnit.SECONDS);
            assertEquals(produced.published(), sent.get(10, TimeUnit.SECONDS));
            leave(b);
            long[] seen = checked.get(20, TimeUnit.SECONDS);
            long got = seen[0];
            long lost = seen[1];
            long fragmented = seen[2];
            assertEquals(produced.published(), got);
            // the last marker (sequence 2999) follows the last packet: only the end frame tells the far side of it,
            // so it is counted by the far consumer but reported before no packet
            assertEquals(produced.markers() - 1, lost);
            assertEquals(produced.markers(), seen[3]);
            assertEquals(produced.markers(), rx[3], "upstream MISSING from the end frame");
            assertEquals(0, rx[2], "frames not stored");
            assertTrue(fragmented > 100, "fragmented packets: " + fragmented);
            if (land) {
                // the packets that fit one datagram (the rest were reassembled and copied)
                assertEquals(got - fragmented, rx[6], "packets committed where they landed");
            } else {
                assertEquals(0, rx[6]);
            }
        }
    }

    @ParameterizedTest(name = "land in claims: {0}")
    @ValueSource(booleans = {false, true})
    void largePacketsAndInjectedNetworkLossReachTheFarConsumer(boolean land) throws Exception {
        try (StreamProducer a = StreamProducer.create(dir, "a", spec(256 << 10, StreamMode.REAL_TIME));
             StreamProducer b = StreamProducer.create(dir, "b", spec(256 << 10, StreamMode.REAL_TIME))) {
            AtomicReference<InetSocketAddress> bound = new AtomicReference<>();
            CompletableFuture<long[]> received = receive(b, bound, land);
            Set<Long> dropped = java.util.Collections.synchronizedSet(new HashSet<>());
            // drop every datagram of frames 10 and 20 (a sequence gap) and the second fragment of 30 and 40 (lost in
            // reassembly: it expires there); the end frame passes
            Relay relay = new Relay(await(bound), (seq, fragOffset, flags) -> {
                boolean drop = (flags & StreamFrameDescriptor.FLAG_END) == 0
                        && (seq == 10 || seq == 20 || (seq == 30 || seq == 40) && fragOffset > 0 && fragOffset < 3000);
                if (drop) {
                    dropped.add(seq);
                }
                return drop;
            });
            pool.submit(relay);
            CompletableFuture<Long> sent = send("a", relay.address());
            CompletableFuture<ConsumeRun.Report> consumed = CompletableFuture.supplyAsync(() -> {
                try (StreamConsumer far = StreamConsumer.open(dir, "b")) {
                    return new ConsumeRun(-1, TimeUnit.SECONDS.toNanos(3), 0, true).run(far, stop::get);
                }
            }, pool);
            // 1 B .. 256 KiB: up to 180 datagrams a packet, paced so loopback does not overflow the socket buffer
            ProduceRun.Report produced = new ProduceRun(120, -1, 1, 256 << 10, 300, true, 0, 7).run(a, stop::get);
            leave(a);
            long[] rx = received.get(40, TimeUnit.SECONDS);
            leave(b); // the far consumer sees its producer gone and ends
            ConsumeRun.Report r = consumed.get(20, TimeUnit.SECONDS);
            assertEquals(produced.published(), sent.get(10, TimeUnit.SECONDS));
            assertTrue(r.clean(), "far consumer: " + r);
            assertEquals(Set.of(10L, 20L, 30L, 40L), dropped, "frames the relay damaged");
            assertEquals(produced.published() - 4, r.received(), r.toString());
            assertEquals(4, r.lost().get(LossReason.MISSING), r.toString());
            assertEquals(4, r.lostTotal(), r.toString());
            assertEquals(4, rx[1], "positions marked missing");
            assertEquals(produced.published() - 4, rx[0]);
            relay.close();
        }
    }

    /** Decides per datagram whether the relay drops it. */
    @FunctionalInterface
    interface DropFilter {
        boolean drop(long sequence, int fragmentOffset, int flags);
    }

    /** A java.nio UDP relay that forwards every datagram to {@code target} unless the filter drops it. */
    static final class Relay implements Runnable, AutoCloseable {
        private final DatagramChannel channel;
        private final InetSocketAddress target;
        private final DropFilter filter;
        private volatile boolean closed;

        Relay(InetSocketAddress target, DropFilter filter) throws IOException {
            this.target = target;
            this.filter = filter;
            this.channel = DatagramChannel.open().setOption(StandardSocketOptions.SO_RCVBUF, 8 << 20)
                    .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        }

        InetSocketAddress address() throws IOException {
            return (InetSocketAddress) channel.getLocalAddress();
        }

        @Override
        public void run() {
            ByteBuffer buf = ByteBuffer.allocateDirect(65536);
            try {
                while (!closed) {
                    buf.clear();
                    if (channel.receive(buf) == null) {
                        continue;
                    }
                    buf.flip();
                    long seq = buf.getLong(FrameHeaderDescriptor.SEQUENCE_OFFSET);
                    int frag = buf.getInt(FrameHeaderDescriptor.FRAGMENT_OFFSET_OFFSET);
                    int flags = buf.get(FrameHeaderDescriptor.FLAGS_OFFSET);
                    if (!filter.drop(seq, frag, flags)) {
                        channel.send(buf, target);
                    }
                }
            } catch (IOException e) {
                if (!closed) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        }

        @Override
        public void close() throws IOException {
            closed = true;
            channel.close();
        }
    }
}
