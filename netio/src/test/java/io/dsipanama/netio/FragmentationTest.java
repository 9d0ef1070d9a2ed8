package io.dsipanama.netio;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static io.dsipanama.netio.NetTestSupport.LOOPBACK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Frames of every size class through the real kernel over loopback, every byte verified: one datagram
 * (0 and 1 B, one under and exactly at the fragment payload of a 1472 B datagram, "MTU-1" and "MTU"), just
 * over it, 1 MiB and 16 MiB; through the multishot path, the landing path and the fallbacks.
 */
@Timeout(60)
class FragmentationTest {
    private static final int DATAGRAM = 1472;
    private static final int STRIDE = DATAGRAM - FrameHeaderDescriptor.LENGTH;
    /** Validity is not under test here: long enough that a loaded machine never expires a frame. */
    private static final long LONG_NS = 60_000_000_000L;

    private long openBefore;

    @BeforeEach
    void count() {
        openBefore = NetTestSupport.socketsAndRings();
    }

    @AfterEach
    void nothingLeftOpen() {
        assertEquals(openBefore, NetTestSupport.socketsAndRings(), "sockets or rings left open");
    }

    /** Sends each frame, waits for its delivery and release, and checks its bytes; returns the counters. */
    private static NetCounters roundTrip(NetContext ctx, UdpReceiver.Mode mode, int... sizes) {
        try (Arena arena = Arena.ofShared(); RingOwner owner = new RingOwner(ctx)) {
            MemorySegment landing = mode == UdpReceiver.Mode.LANDING ? arena.allocate(1 << 20, 4096) : null;
            UdpReceiver rx = new UdpReceiver(owner, LOOPBACK, mode, landing, null);
            List<String> errors = new ArrayList<>();
            long[] delivered = {0};
            long[] released = {0};
            MemorySegment[] expected = new MemorySegment[1];
            rx.handlerForAll((h, buf, off, len) -> {
                if (!NetTestSupport.sameBytes(expected[0], buf, off, len)) {
                    errors.add("frame " + h.sequence() + " of " + len + " B differs");
                }
                if (landing != null && len <= STRIDE && (buf.address() != landing.address() || off % 4096 != 0)) {
                    errors.add("a one-datagram frame did not land page-aligned in the caller's region");
                }
                if (h.frameLength() != len || h.fragmentOffset() != 0) {
                    errors.add("header says " + h);
                }
                delivered[0]++;
            });
            UdpSender tx = new UdpSender(owner, rx.localAddress(), (token, result) -> {
                assertEquals(expected[0].byteSize(), result, "send result");
                released[0]++;
            });
            OutgoingFrame frame = new OutgoingFrame().streamId(7).priority(3).periodUs(40_000);
            for (int i = 0; i < sizes.length; i++) {
                expected[0] = arena.allocate(Math.max(1, sizes[i]), 4096).asSlice(0, sizes[i]);
                NetTestSupport.fill(expected[0], sizes[i] + i);
                assertTrue(tx.offer(frame.sequence(i).virtualTime(1000L * i), expected[0], i));
                long want = i + 1;
                NetTestSupport.runUntil(owner, () -> delivered[0] == want && released[0] == want, 40_000,
                        sizes[i] + " B frame delivered");
                assertEquals(List.of(), errors);
            }
            NetCounters c = owner.counters();
            assertEquals(0, c.get(NetCounter.TX_ERRORS));
            assertEquals(0, c.get(NetCounter.LOST_EXPIRED));
            assertEquals(sizes.length, c.get(NetCounter.RX_FRAMES));
            long datagrams = 0;
            for (int s : sizes) {
                datagrams += Math.max(1, (s + STRIDE - 1) / STRIDE);
            }
            assertEquals(datagrams, c.get(NetCounter.TX_DATAGRAMS), "datagrams the kernel accepted");
            assertEquals(datagrams, c.get(NetCounter.RX_DATAGRAMS), "datagrams received: none lost, none extra");
            // a snapshot outlives the owner's region
            NetCounters copy = new NetCounters();
            for (NetCounter n : NetCounter.values()) {
                copy.add(n, c.get(n));
            }
            return copy;
        }
    }

    @ParameterizedTest(name = "{0} B")
    @ValueSource(ints = {0, 1, STRIDE - 1, STRIDE, STRIDE + 1, 3 * STRIDE, 1 << 20})
    void throughputPath(int size) {
        NetContext ctx = new NetContext().datagramBytes(DATAGRAM).reassemblyTimeoutNs(LONG_NS);
        try (NetCounters c = roundTrip(ctx, UdpReceiver.Mode.THROUGHPUT, size)) {
            assertTrue(c.get(NetCounter.RX_REARMS) >= 1);
        }
    }

    @Test
    void sixteenMebibytes() {
        NetContext ctx = new NetContext().datagramBytes(DATAGRAM).reassemblyTimeoutNs(LONG_NS).socketBufferBytes(64 << 20);
        try (NetCounters c = roundTrip(ctx, UdpReceiver.Mode.THROUGHPUT, FrameHeaderDescriptor.MAX_FRAME_LENGTH)) {
            assertTrue(c.get(NetCounter.TX_GSO_SENDMSGS) > 0, "large frames go out through GSO: " + c);
            assertTrue(c.get(NetCounter.TX_ZC_SENDMSGS) > 0, "and with SENDMSG_ZC above the threshold: " + c);
            assertEquals(c.get(NetCounter.TX_ZC_SENDMSGS),
                    c.get(NetCounter.TX_ZC_COPIED) + c.get(NetCounter.TX_ZC_ZEROCOPY), "one usage report per ZC send");
        }
    }

    @Test
    void landingPathPutsPayloadsPageAlignedInTheCallersRegion() {
        try (NetCounters c = roundTrip(new NetContext().datagramBytes(DATAGRAM).reassemblyTimeoutNs(LONG_NS), UdpReceiver.Mode.LANDING, 1, STRIDE - 1, STRIDE,
                STRIDE + 1, 1 << 20)) {
            assertEquals(5, c.get(NetCounter.RX_FRAMES));
        }
    }

    @Test
    void fallbacksCarryTheSameFrames() {
        NetContext ctx = new NetContext().datagramBytes(DATAGRAM).reassemblyTimeoutNs(LONG_NS).disable(NetContext.Feature.MULTISHOT).disable(NetContext.Feature.GSO)
                .disable(NetContext.Feature.SENDMSG_ZC).disable(NetContext.Feature.DEFER_TASKRUN);
        try (NetCounters c = roundTrip(ctx, UdpReceiver.Mode.THROUGHPUT, 1, STRIDE + 1, 1 << 20)) {
            assertEquals(0, c.get(NetCounter.TX_GSO_SENDMSGS), "GSO disabled: one datagram per SENDMSG");
            assertEquals(0, c.get(NetCounter.TX_ZC_SENDMSGS), "SENDMSG_ZC disabled");
            assertEquals(c.get(NetCounter.TX_DATAGRAMS), c.get(NetCounter.TX_SENDMSGS));
        }
    }
}
