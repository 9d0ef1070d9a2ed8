package io.dsipanama.netio;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.dsipanama.ffm.Socket;
import io.dsipanama.ffm.Unistd;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static io.dsipanama.netio.NetTestSupport.LOOPBACK;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Batching, zero-copy release on the notification, back pressure, and priority marking seen on the wire. */
@Timeout(30)
class UdpSenderTest {
    @Test
    void manySendmsgsGoInOneSubmit() {
        int frames = 64;
        try (Arena arena = Arena.ofShared(); RingOwner owner = new RingOwner(new NetContext())) {
            UdpReceiver rx = UdpReceiver.throughput(owner, LOOPBACK);
            int[] got = {0};
            rx.handlerForAll((h, b, o, l) -> got[0]++);
            owner.doWork(System.nanoTime()); // arms the receive: one submit
            long submitsBefore = owner.counters().get(NetCounter.RING_SUBMITS);
            int[] released = {0};
            UdpSender tx = new UdpSender(owner, rx.localAddress(), (t, r) -> released[0]++);
            MemorySegment payload = arena.allocate(100);
            OutgoingFrame f = new OutgoingFrame().streamId(1);
            for (int i = 0; i < frames; i++) {
                assertTrue(tx.offer(f.sequence(i), payload, i));
            }
            owner.doWork(System.nanoTime());
            assertEquals(submitsBefore + 1, owner.counters().get(NetCounter.RING_SUBMITS), "one submit");
            assertEquals(frames, owner.counters().get(NetCounter.TX_SENDMSGS), "for every SENDMSG");
            NetTestSupport.runUntil(owner, () -> got[0] == frames && released[0] == frames, 5_000, "all arrived");
        }
    }

    @Test
    void zeroCopyMemoryIsReleasedOnlyAfterTheNotification() {
        NetContext ctx = new NetContext().zcThresholdBytes(0);
        try (Arena arena = Arena.ofShared(); RingOwner owner = new RingOwner(ctx)) {
            org.junit.jupiter.api.Assumptions.assumeTrue(owner.features().sendmsgZc(), "no SENDMSG_ZC here");
            UdpReceiver rx = UdpReceiver.throughput(owner, LOOPBACK);
            int[] got = {0};
            rx.handlerForAll((h, b, o, l) -> got[0]++);
            NetCounters c = owner.counters();
            List<String> early = new ArrayList<>();
            int[] released = {0};
            UdpSender tx = new UdpSender(owner, rx.localAddress(), (token, result) -> {
                long notified = c.get(NetCounter.TX_ZC_COPIED) + c.get(NetCounter.TX_ZC_ZEROCOPY);
                if (notified != c.get(NetCounter.TX_ZC_SENDMSGS)) {
                    early.add("frame " + token + " released with " + notified + " of "
                            + c.get(NetCounter.TX_ZC_SENDMSGS) + " notifications");
                }
                released[0]++;
            });
            int[] sizes = {10, 5000, 200_000};
            for (int i = 0; i < sizes.length; i++) {
                assertTrue(tx.offer(new OutgoingFrame().sequence(i), arena.allocate(sizes[i]), i));
                int want = i + 1;
                NetTestSupport.runUntil(owner, () -> released[0] == want && got[0] == want, 5_000, "frame " + i);
            }
            assertEquals(List.of(), early);
            assertTrue(c.get(NetCounter.TX_ZC_SENDMSGS) > 3, c.toString());
            System.out.println("UdpSenderTest: SENDMSG_ZC over loopback: " + c.get(NetCounter.TX_ZC_COPIED)
                    + " copied, " + c.get(NetCounter.TX_ZC_ZEROCOPY) + " zero-copy");
        }
    }

    @Test
    void aFullQueueBackPressures() {
        try (Arena arena = Arena.ofShared(); RingOwner owner = new RingOwner(new NetContext().sendQueueFrames(2))) {
            UdpSender tx = new UdpSender(owner, new java.net.InetSocketAddress(LOOPBACK.getAddress(), 9), (t, r) -> { });
            MemorySegment p = arena.allocate(10);
            assertTrue(tx.offer(new OutgoingFrame(), p, 1));
            assertTrue(tx.offer(new OutgoingFrame(), p, 2));
            assertFalse(tx.offer(new OutgoingFrame(), p, 3));
            assertEquals(1, owner.counters().get(NetCounter.TX_BACK_PRESSURED));
            NetTestSupport.runUntil(owner, () -> tx.pendingFrames() == 0, 5_000, "queue drained");
            assertTrue(tx.offer(new OutgoingFrame(), p, 4));
            NetTestSupport.runUntil(owner, () -> tx.pendingFrames() == 0, 5_000, "queue drained");
        }
    }

    @Test
    void priorityClassesAreMarkedWithSoPriorityAndDscpOnTheWire() {
        NetContext ctx = new NetContext();
        int probe = Socket.socket(Socket.AF_INET, Socket.SOCK_DGRAM | Socket.SOCK_CLOEXEC, 0);
        try (Arena arena = Arena.ofShared(); RingOwner owner = new RingOwner(ctx)) {
            Socket.setsockoptInt(probe, Socket.IPPROTO_IP, Socket.IP_RECVTOS, 1);
            Socket.bind(probe, LOOPBACK);
            int[] released = {0};
            UdpSender tx = new UdpSender(owner, Socket.localAddress(probe), (t, r) -> released[0]++);
            for (int p = 0; p < FrameHeaderDescriptor.PRIORITY_CLASSES; p++) {
                int fd = tx.socket(p);
                assertEquals(tx.grantedSoPriority(p), Socket.getsockoptInt(fd, Socket.SOL_SOCKET, Socket.SO_PRIORITY));
                assertEquals(ctx.dscp(p) << 2, Socket.getsockoptInt(fd, Socket.IPPROTO_IP, Socket.IP_TOS));
                assertTrue(tx.grantedSoPriority(p) == p || p == 7, "class " + p);
            }
            MemorySegment payload = arena.allocate(16);
            int[] classes = {0, 6, 7};
            for (int i = 0; i < classes.length; i++) {
                assertTrue(tx.offer(new OutgoingFrame().priority(classes[i]).sequence(i), payload, i));
                int want = i + 1;
                NetTestSupport.runUntil(owner, () -> released[0] == want, 5_000, "sent");
                assertEquals(ctx.dscp(classes[i]) << 2, receivedTos(arena, probe), "TOS of class " + classes[i]);
            }
        } finally {
            Unistd.close(probe);
        }
    }

    /** recvmsg on a socket with IP_RECVTOS: the TOS byte from the IP_TOS control message. */
    private static int receivedTos(Arena arena, int fd) {
        MemorySegment data = arena.allocate(2048);
        MemorySegment iov = arena.allocate(Socket.IOVEC);
        Socket.iovec(iov, 0, data);
        MemorySegment control = arena.allocate(64, 8);
        MemorySegment msg = arena.allocate(Socket.MSGHDR);
        Socket.msghdr(msg, MemorySegment.NULL, 0, iov, 1, control, control.byteSize());
        long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        long n;
        while ((n = Socket.recvmsg(fd, msg, Socket.MSG_DONTWAIT)) < 0) {
            assertTrue(deadlineNs - System.nanoTime() > 0, "no datagram at the probe");
            Thread.onSpinWait();
        }
        assertEquals(FrameHeaderDescriptor.LENGTH + 16, n);
        assertTrue(Socket.msgControllen(msg) >= Socket.cmsgLen(1), "a control message came");
        assertEquals(Socket.cmsgLen(1), control.get(JAVA_LONG, 0));
        assertEquals(Socket.IPPROTO_IP, control.get(JAVA_INT, 8));
        assertEquals(1 /* IP_TOS */, control.get(JAVA_INT, 12));
        return Byte.toUnsignedInt(control.get(JAVA_BYTE, Socket.cmsgLen(0)));
    }
}
