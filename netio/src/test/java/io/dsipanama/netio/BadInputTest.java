package io.dsipanama.netio;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static io.dsipanama.netio.NetTestSupport.LOOPBACK;
import static io.dsipanama.netio.NetTestSupport.datagram;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Malformed and hostile datagrams from a raw java.nio socket: each dropped and counted by its reason. */
@Timeout(60)
class BadInputTest {
    private static final int DATAGRAM = 1472;
    private static final int STRIDE = DATAGRAM - FrameHeaderDescriptor.LENGTH;

    private RingOwner owner;
    private UdpReceiver rx;
    private DatagramChannel raw;
    private InetSocketAddress to;
    private final List<Long> delivered = new ArrayList<>();
    private long sent;

    @BeforeEach
    void open() throws IOException {
        owner = new RingOwner(new NetContext().datagramBytes(DATAGRAM).maxPartialFrames(8).reassemblyBytes(4 << 20)
                .reassemblyTimeoutNs(500_000_000L));
        rx = UdpReceiver.throughput(owner, LOOPBACK);
        rx.handlerForAll((h, buf, off, len) -> delivered.add(h.sequence()));
        raw = DatagramChannel.open().bind(LOOPBACK);
        to = rx.localAddress();
    }

    @AfterEach
    void close() throws IOException {
        raw.close();
        owner.close();
    }

    private void send(ByteBuffer b) throws IOException {
        raw.send(b, to);
        sent++;
    }

    /** One datagram, handled before the next: priorities would reorder datagrams reaped in one batch. */
    private void sendOne(ByteBuffer b) throws IOException {
        send(b);
        sendAndDrain();
    }

    private void sendAndDrain() {
        NetTestSupport.runUntil(owner, () -> owner.counters().get(NetCounter.RX_DATAGRAMS) == sent
                && rx.queued() == 0, 5_000, sent + " datagrams received");
    }

    private static ByteBuffer with(ByteBuffer b, int at, int value, int size) {
        switch (size) {
            case 1 -> b.put(at, (byte) value);
            case 4 -> b.putInt(at, value);
            default -> throw new IllegalArgumentException();
        }
        return b;
    }

    private ByteBuffer good(long seq) {
        return datagram(5, seq, 3, 100, STRIDE, 0, 100, 0);
    }

    @Test
    void eachMalformationIsDroppedAndCountedByReason() throws IOException {
        Map<NetCounter, Long> expected = new EnumMap<>(NetCounter.class);
        sendOne(ByteBuffer.wrap(new byte[10]));
        sendOne(ByteBuffer.allocate(0));
        expected.put(NetCounter.DROP_TRUNCATED, 2L);
        sendOne(with(good(1), FrameHeaderDescriptor.MAGIC_OFFSET, 0x12345678, 4));
        expected.put(NetCounter.DROP_BAD_MAGIC, 1L);
        sendOne(with(good(1), FrameHeaderDescriptor.VERSION_OFFSET, 2, 1));
        expected.put(NetCounter.DROP_BAD_VERSION, 1L);
        sendOne(with(good(1), FrameHeaderDescriptor.PRIORITY_OFFSET, 8, 1));
        sendOne(with(good(1), FrameHeaderDescriptor.HEADER_LENGTH_OFFSET, 40, 1));
        sendOne(with(good(1), FrameHeaderDescriptor.FLAGS_OFFSET, 0x80, 1));
        sendOne(datagram(5, 1, 3, 4 * STRIDE, 100, 0, 100, 0)); // stride below the minimum
        expected.put(NetCounter.DROP_BAD_FIELD, 4L);
        sendOne(datagram(5, 1, 3, FrameHeaderDescriptor.MAX_FRAME_LENGTH + 1, STRIDE, 0, STRIDE, 0));
        sendOne(datagram(5, 1, 3, -1, STRIDE, 0, STRIDE, 0)); // 4 GiB as unsigned
        sendOne(datagram(5, 1, 3, 4 * STRIDE, STRIDE, STRIDE, 10, 0)); // a short middle fragment
        expected.put(NetCounter.DROP_BAD_LENGTH, 3L);
        sendOne(datagram(5, 1, 3, 100, STRIDE, 50, 100, 0)); // past the frame's end
        sendOne(datagram(5, 1, 3, 4 * STRIDE, STRIDE, 4 * STRIDE, 10, 0)); // starts at the end
        sendOne(datagram(5, 1, 3, 4 * STRIDE, STRIDE, -STRIDE, STRIDE, 0)); // a negative offset is 4 GiB
        expected.put(NetCounter.DROP_BAD_OFFSET, 3L);
        sendOne(ByteBuffer.allocate(DATAGRAM + 1)); // larger than a receive buffer
        expected.put(NetCounter.DROP_OVERSIZE, 1L);
        // a frame of 3 fragments: duplicate, overlapping (misaligned), inconsistent, then completed
        sendOne(datagram(6, 1, 3, 3 * STRIDE, STRIDE, 0, STRIDE, 0));
        sendOne(datagram(6, 1, 3, 3 * STRIDE, STRIDE, 0, STRIDE, 0));
        expected.put(NetCounter.DROP_DUPLICATE_FRAGMENT, 1L);
        sendOne(datagram(6, 1, 3, 3 * STRIDE, STRIDE, STRIDE / 2, STRIDE, 0));
        expected.put(NetCounter.DROP_OVERLAPPING_FRAGMENT, 1L);
        sendOne(datagram(6, 1, 3, 3 * STRIDE + 1, STRIDE, STRIDE, STRIDE, 0));
        sendOne(datagram(6, 1, 4, 3 * STRIDE, STRIDE, STRIDE, STRIDE, 0));
        expected.put(NetCounter.DROP_INCONSISTENT_FRAGMENT, 2L);
        sendOne(datagram(6, 1, 3, 3 * STRIDE, STRIDE, STRIDE, STRIDE, 0));
        sendOne(datagram(6, 1, 3, 3 * STRIDE, STRIDE, 2 * STRIDE, STRIDE, 0));
        // the completed frame again: stale
        sendOne(datagram(6, 1, 3, 3 * STRIDE, STRIDE, 0, STRIDE, 0));
        sendOne(datagram(6, 1, 3, 3 * STRIDE, STRIDE, STRIDE, STRIDE, 0));
        expected.put(NetCounter.DROP_STALE, 2L);
        sendAndDrain();

        assertEquals(List.of(1L), delivered, "only the good fragmented frame");
        for (Map.Entry<NetCounter, Long> e : expected.entrySet()) {
            assertEquals(e.getValue(), owner.counters().get(e.getKey()), e.getKey() + ": " + owner.counters());
        }
        long drops = 0;
        for (NetCounter c : NetCounter.values()) {
            if (c.label().startsWith("drop_")) {
                drops += owner.counters().get(c);
            }
        }
        long accepted = 3; // the three fragments that made frame 1 of stream 6
        assertEquals(sent, drops + accepted, "every datagram either dropped with a reason or used");

        sendOne(good(2));
        sendAndDrain();
        assertEquals(List.of(1L, 2L), delivered, "still healthy");
    }

    @Test
    void unexpectedSourcesAreDroppedWhenAnAllowListIsSet() throws IOException {
        try (DatagramChannel trusted = DatagramChannel.open().bind(LOOPBACK)) {
            rx.allow((InetSocketAddress) trusted.getLocalAddress());
            send(good(1)); // from raw: not on the list
            trusted.send(good(2), to);
            sent++;
            sendAndDrain();
            assertEquals(List.of(2L), delivered);
            assertEquals(1, owner.counters().get(NetCounter.DROP_SOURCE_NOT_ALLOWED));
        }
    }

    @Test
    void aFloodOfFirstFragmentsStaysWithinBoundsAndExpires() throws IOException {
        int frameLength = 1 << 20; // each claims 1 MiB; reassembly has 4 MiB and 8 slots
        for (int i = 0; i < 5_000; i++) {
            send(datagram(7, 10 + i, 2, frameLength, STRIDE, (i % 7) * STRIDE, STRIDE, 0));
            if (i % 500 == 499) {
                sendAndDrain();
                assertTrue(rx.partialFrames() <= 8, "slots bounded: " + rx.partialFrames());
                assertTrue(rx.reassemblyBytesUsed() <= 4 << 20, "memory bounded: " + rx.reassemblyBytesUsed());
            }
        }
        sendAndDrain();
        assertTrue(owner.counters().get(NetCounter.DROP_REASSEMBLY_FULL) > 0, owner.counters().toString());
        NetTestSupport.runUntil(owner, () -> rx.partialFrames() == 0, 5_000, "every incomplete frame expired");
        assertEquals(0, rx.reassemblyBytesUsed());
        NetCounters c = owner.counters();
        assertTrue(c.get(NetCounter.LOST_EXPIRED) >= 4, "at least the four that fit in memory expired: " + c);
        assertEquals(5_000, c.get(NetCounter.DROP_REASSEMBLY_FULL) + c.get(NetCounter.LOST_EXPIRED)
                + c.get(NetCounter.DROP_STALE), "each first fragment refused, expired, or stale: " + c);

        // healthy afterwards: a fragmented frame of another stream completes
        send(datagram(8, 0, 2, 2 * STRIDE, STRIDE, 0, STRIDE, 0));
        send(datagram(8, 0, 2, 2 * STRIDE, STRIDE, STRIDE, STRIDE, 0));
        sendAndDrain();
        assertEquals(List.of(0L), delivered);
    }
}
