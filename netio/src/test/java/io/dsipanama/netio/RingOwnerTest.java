package io.dsipanama.netio;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicReference;

import io.dsipanama.ffm.Feature;
import io.dsipanama.ffm.IoUringFeatures;
import io.dsipanama.ffm.Liburing;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static io.dsipanama.netio.NetTestSupport.LOOPBACK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Ring setup from the probed features, the fallbacks reported, thread ownership, SQPOLL, and clean closing. */
@Timeout(30)
class RingOwnerTest {
    private long openBefore;

    @BeforeEach
    void count() {
        openBefore = NetTestSupport.socketsAndRings();
    }

    @AfterEach
    void nothingLeftOpen() {
        assertEquals(openBefore, NetTestSupport.socketsAndRings(), "sockets or rings left open");
    }

    private static boolean probed(String name) {
        return IoUringFeatures.features().stream().filter(f -> f.name().equals(name)).anyMatch(Feature::available);
    }

    /** One 3000-byte frame there and back on {@code owner}. */
    private static void roundTrip(RingOwner owner, UdpReceiver rx) {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment payload = arena.allocate(3000);
            NetTestSupport.fill(payload, 3);
            boolean[] ok = {false};
            rx.handlerForAll((h, buf, off, len) -> ok[0] = NetTestSupport.sameBytes(payload, buf, off, len));
            int[] released = {0};
            UdpSender tx = new UdpSender(owner, rx.localAddress(), (t, r) -> released[0]++);
            assertTrue(tx.offer(new OutgoingFrame(), payload, 0));
            NetTestSupport.runUntil(owner, () -> ok[0] && released[0] == 1, 5_000, "round trip");
            tx.close();
        }
    }

    @Test
    void ringIsSingleIssuerWithDeferredTaskWorkWhereAvailable() {
        assumeTrue(probed("io_uring_defer_taskrun"), "kernel without IORING_SETUP_DEFER_TASKRUN (6.1)");
        try (RingOwner owner = new RingOwner(new NetContext())) {
            int flags = owner.ring().setupFlags();
            assertTrue((flags & Liburing.IORING_SETUP_SINGLE_ISSUER) != 0);
            assertTrue((flags & Liburing.IORING_SETUP_DEFER_TASKRUN) != 0);
            assertTrue(owner.features().deferTaskrun());
            assertEquals(owner.features().fallbacks().isEmpty(), probed("io_uring_sendmsg_zc")
                    && probed("io_uring_recv_multishot") && probed("io_uring_buf_ring"),
                    "fallbacks only for what the kernel lacks: " + owner.features());
            UdpReceiver rx = UdpReceiver.throughput(owner, LOOPBACK);
            assertFalse(rx.isLanding(), "multishot with a buffer ring");
            roundTrip(owner, rx);
        }
    }

    @Test
    void disabledFeaturesAreReportedWithTheirFallbackAndStillWork() {
        NetContext ctx = new NetContext().disable(NetContext.Feature.DEFER_TASKRUN)
                .disable(NetContext.Feature.MULTISHOT).disable(NetContext.Feature.SENDMSG_ZC);
        try (RingOwner owner = new RingOwner(ctx)) {
            String report = owner.features().fallbacks().toString();
            assertTrue(report.contains("DEFER_TASKRUN -> COOP_TASKRUN (disabled by configuration)"), report);
            assertTrue(report.contains("MULTISHOT -> single-shot RECVMSG"), report);
            assertTrue(report.contains("SENDMSG_ZC -> SENDMSG (copying)"), report);
            assertEquals(0, owner.ring().setupFlags() & Liburing.IORING_SETUP_DEFER_TASKRUN);
            assertTrue((owner.ring().setupFlags() & Liburing.IORING_SETUP_COOP_TASKRUN) != 0);
            UdpReceiver rx = UdpReceiver.throughput(owner, LOOPBACK);
            assertTrue(rx.isLanding(), "throughput falls back to posted receives into own buffers");
            roundTrip(owner, rx);
        }
    }

    @Test
    void sqpollRingCarriesFrames() {
        assumeTrue(probed("io_uring_sqpoll"), "SQPOLL refused here");
        try (RingOwner owner = new RingOwner(new NetContext().sqpoll(true, 5))) {
            assertTrue((owner.ring().setupFlags() & Liburing.IORING_SETUP_SQPOLL) != 0);
            assertTrue(owner.features().fallbacks().toString().contains("SQPOLL excludes DEFER_TASKRUN"));
            roundTrip(owner, UdpReceiver.throughput(owner, LOOPBACK));
        }
    }

    @Test
    void anotherThreadIsRefused() throws Exception {
        try (RingOwner owner = new RingOwner(new NetContext())) {
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            Thread t = new Thread(() -> {
                try {
                    owner.doWork(System.nanoTime());
                } catch (Throwable e) {
                    thrown.set(e);
                }
            });
            t.start();
            t.join(5_000);
            assertInstanceOf(IllegalStateException.class, thrown.get());
        }
    }

    @Test
    void closingTheOwnerClosesItsTargetsAndIsIdempotent() {
        RingOwner owner = new RingOwner(new NetContext());
        UdpReceiver rx = UdpReceiver.throughput(owner, LOOPBACK);
        new UdpSender(owner, rx.localAddress(), (t, r) -> { });
        owner.doWork(System.nanoTime()); // the receive is armed: a request in flight at close
        assertEquals(1, rx.inFlight());
        owner.close();
        owner.close();
        rx.close();
        assertTrue(owner.isClosed());
    }
}
