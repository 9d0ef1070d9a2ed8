package io.dsipanama.netio;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static io.dsipanama.netio.NetTestSupport.LOOPBACK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A million random and mutated datagrams at a receiver: it must neither crash nor grow, count what it
 * drops, and deliver good traffic byte-exact afterwards.
 */
@Timeout(90)
class FuzzTest {
    private static final int DATAGRAM = 1472;
    private static final int STRIDE = DATAGRAM - FrameHeaderDescriptor.LENGTH;
    private static final int DATAGRAMS = 1_000_000;
    private static final int POOL = 8192;
    private static final int GOOD_STREAM = 0x600D_0000;
    private static final int MAX_PARTIAL = 16;
    private static final long REASSEMBLY_BYTES = 8 << 20;

    /** A datagram built by one of several rules: random bytes, valid, corrupted header, truncated, fragments. */
    static ByteBuffer generate(SplittableRandom r) {
        int kind = r.nextInt(6);
        if (kind == 0) {
            byte[] b = new byte[r.nextInt(1600)];
            r.nextBytes(b);
            return ByteBuffer.wrap(b);
        }
        int stream = r.nextInt(4096);
        long seq = r.nextInt(64);
        int prio = r.nextInt(8);
        boolean fragmented = r.nextBoolean();
        int frameLength = fragmented ? STRIDE * (2 + r.nextInt(700)) - r.nextInt(STRIDE) : r.nextInt(STRIDE + 1);
        int stride = fragmented ? (r.nextInt(4) == 0 ? 256 + r.nextInt(STRIDE) : STRIDE) : STRIDE;
        int offset = fragmented ? stride * r.nextInt(Math.max(1, frameLength / stride)) : 0;
        int len = Math.max(0, Math.min(stride, frameLength - offset));
        ByteBuffer b = NetTestSupport.datagram(stream, seq, prio, frameLength, stride, offset, len,
                r.nextInt(3) * 20_000);
        ByteBuffer out = ByteBuffer.allocate(b.remaining()).order(ByteOrder.BIG_ENDIAN).put(b).flip();
        switch (kind) {
            case 2 -> { // flip header bytes
                for (int i = 0, n = 1 + r.nextInt(4); i < n; i++) {
                    int at = r.nextInt(FrameHeaderDescriptor.LENGTH);
                    out.put(at, (byte) (out.get(at) ^ (1 << r.nextInt(8))));
                }
            }
            case 3 -> { // overwrite a 32-bit field with anything
                int[] fields = {FrameHeaderDescriptor.FRAME_LENGTH_OFFSET, FrameHeaderDescriptor.FRAGMENT_OFFSET_OFFSET,
                    FrameHeaderDescriptor.FRAGMENT_STRIDE_OFFSET, FrameHeaderDescriptor.STREAM_ID_OFFSET,
                    FrameHeaderDescriptor.DEADLINE_US_OFFSET, FrameHeaderDescriptor.SEQUENCE_OFFSET};
                out.putInt(fields[r.nextInt(fields.length)], r.nextInt());
            }
            case 4 -> out.limit(r.nextInt(out.limit() + 1)); // truncated anywhere
            default -> {
                // 1 and 5: left valid (5 is a fragment or a single frame of a random stream)
            }
        }
        return out;
    }

    @Test
    void aMillionHostileDatagramsLeaveTheReceiverHealthy() throws Exception {
        NetContext ctx = new NetContext().datagramBytes(DATAGRAM).maxPartialFrames(MAX_PARTIAL)
                .reassemblyBytes(REASSEMBLY_BYTES).reassemblyTimeoutNs(1_000_000_000L).socketBufferBytes(8 << 20);
        AtomicLong sent = new AtomicLong();
        try (Arena arena = Arena.ofShared(); RingOwner owner = new RingOwner(ctx)) {
            UdpReceiver rx = UdpReceiver.throughput(owner, LOOPBACK);
            List<String> errors = new ArrayList<>();
            MemorySegment[] expected = new MemorySegment[1];
            long[] good = {0};
            long[] fuzzDelivered = {0};
            rx.handlerForAll((h, buf, off, len) -> {
                if (h.streamId() != GOOD_STREAM) {
                    fuzzDelivered[0]++; // a mutation that is still a valid frame
                    if (len != h.frameLength() || len < 0 || off + len > buf.byteSize()) {
                        errors.add("bad delivery " + h + " len " + len);
                    }
                    return;
                }
                if (!NetTestSupport.sameBytes(expected[0], buf, off, len)) {
                    errors.add("good frame " + h.sequence() + " differs");
                }
                good[0]++;
            });
            InetSocketAddress to = rx.localAddress();
            Thread fuzzer = new Thread(() -> {
                SplittableRandom r = new SplittableRandom(20251122);
                ByteBuffer[] pool = new ByteBuffer[POOL];
                for (int i = 0; i < POOL; i++) {
                    pool[i] = generate(r);
                }
                try (DatagramChannel ch = DatagramChannel.open().bind(LOOPBACK)) {
                    for (int i = 0; i < DATAGRAMS; i++) {
                        ByteBuffer b = pool[r.nextInt(POOL)];
                        if (b.limit() > 0 && r.nextInt(4) == 0) { // keep mutating the pool as we go
                            int at = r.nextInt(b.limit());
                            b.put(at, (byte) r.nextInt(256));
                        }
                        ch.send(b.duplicate(), to);
                        sent.incrementAndGet();
                    }
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            }, "fuzzer");
            long startNs = System.nanoTime();
            fuzzer.start();
            int[] maxPartial = {0};
            long[] maxBytes = {0};
            NetTestSupport.runUntil(owner, () -> {
                maxPartial[0] = Math.max(maxPartial[0], rx.partialFrames());
                maxBytes[0] = Math.max(maxBytes[0], rx.reassemblyBytesUsed());
                return !fuzzer.isAlive();
            }, 60_000, "a million datagrams sent");
            fuzzer.join();
            NetTestSupport.runFor(owner, 100);
            NetCounters c = owner.counters();
            long ms = (System.nanoTime() - startNs) / 1_000_000;
            System.out.println("FuzzTest: " + sent + " sent in " + ms + " ms, " + fuzzDelivered[0]
                    + " fuzz frames valid enough to deliver, max partial " + maxPartial[0] + ", max reassembly bytes "
                    + maxBytes[0] + ", counters " + c);
            assertEquals(DATAGRAMS, sent.get());
            assertEquals(List.of(), errors);
            assertTrue(maxPartial[0] <= MAX_PARTIAL, "partial frames bounded");
            assertTrue(maxBytes[0] <= REASSEMBLY_BYTES, "reassembly memory bounded");
            assertTrue(c.get(NetCounter.RX_DATAGRAMS) > DATAGRAMS / 10, "the receiver kept up at least partly: " + c);
            for (NetCounter reason : new NetCounter[] {NetCounter.DROP_TRUNCATED, NetCounter.DROP_BAD_MAGIC,
                NetCounter.DROP_BAD_VERSION, NetCounter.DROP_BAD_FIELD, NetCounter.DROP_BAD_OFFSET,
                NetCounter.DROP_OVERSIZE}) {
                assertTrue(c.get(reason) > 0, reason + " seen: " + c);
            }

            // every incomplete fuzz frame expires (validity at most 1 s), then good frames arrive byte-exact
            NetTestSupport.runUntil(owner, () -> rx.partialFrames() == 0, 10_000, "fuzz partial frames expired");
            assertEquals(0, rx.reassemblyBytesUsed());
            int[] released = {0};
            UdpSender tx = new UdpSender(owner, to, (token, result) -> released[0]++);
            OutgoingFrame frame = new OutgoingFrame().streamId(GOOD_STREAM).priority(4);
            int[] sizes = {1, STRIDE, 5 * STRIDE + 7, 1 << 20};
            for (int i = 0; i < sizes.length; i++) {
                expected[0] = arena.allocate(sizes[i], 4096);
                NetTestSupport.fill(expected[0], i);
                assertTrue(tx.offer(frame.sequence(i), expected[0], i));
                long want = i + 1;
                NetTestSupport.runUntil(owner, () -> good[0] == want && released[0] == want, 10_000,
                        "good frame " + i + " after the fuzz");
            }
            assertEquals(List.of(), errors);
        }
    }
}
