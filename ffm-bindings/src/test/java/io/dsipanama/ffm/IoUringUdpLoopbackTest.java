package io.dsipanama.ffm;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static io.dsipanama.ffm.Liburing.IO_URING_RECVMSG_OUT;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** UDP over loopback through io_uring: msghdrs, iovecs and SQEs built in Java, one submit per batch. */
@Timeout(30)
class IoUringUdpLoopbackTest {
    private static final InetSocketAddress LOOPBACK = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    private static final long WAIT_MS = 5_000;
    private static final long RECV_TAG = 1;
    private static final long SEND_TAG = 2;

    private long openBefore;
    private int rx = -1;
    private int tx = -1;
    private InetSocketAddress rxAddress;
    private InetSocketAddress txAddress;

    @BeforeEach
    void sockets() {
        openBefore = OpenFds.socketsAndRings();
        rx = SocketTest.udp(Socket.AF_INET);
        tx = SocketTest.udp(Socket.AF_INET);
        Socket.bind(rx, LOOPBACK);
        Socket.bind(tx, LOOPBACK);
        rxAddress = Socket.localAddress(rx);
        txAddress = Socket.localAddress(tx);
    }

    @AfterEach
    void closeAndCount() {
        Unistd.close(rx);
        Unistd.close(tx);
        assertEquals(openBefore, OpenFds.socketsAndRings(), "sockets or rings left open");
    }

    /** A msghdr with a name buffer and one iovec over {@code data}, all in {@code arena}. */
    private record Msg(MemorySegment msghdr, MemorySegment name, MemorySegment data) {
        static Msg receive(Arena arena, int capacity) {
            MemorySegment name = arena.allocate(Socket.SOCKADDR_STORAGE);
            return of(arena, name, (int) name.byteSize(), arena.allocate(capacity));
        }

        static Msg sendTo(Arena arena, InetSocketAddress to, String payload) {
            MemorySegment name = arena.allocate(Socket.SOCKADDR_STORAGE);
            int len = Socket.writeSockaddr(name, to);
            return of(arena, name, len, SocketTest.bytes(arena, payload));
        }

        private static Msg of(Arena arena, MemorySegment name, int namelen, MemorySegment data) {
            MemorySegment iov = arena.allocate(Socket.IOVEC);
            Socket.iovec(iov, 0, data);
            MemorySegment msghdr = arena.allocate(Socket.MSGHDR);
            Socket.msghdr(msghdr, name, namelen, iov, 1, MemorySegment.NULL, 0);
            return new Msg(msghdr, name, data);
        }
    }

    @Test
    void recvmsgAndSendmsgInOneSubmit() {
        String payload = "one datagram through io_uring";
        try (Arena arena = Arena.ofConfined(); IoUring ring = new IoUring(16, 0)) {
            Msg in = Msg.receive(arena, 256);
            Msg out = Msg.sendTo(arena, rxAddress, payload);
            ring.prepRecvmsg(ring.nextSqe(), rx, in.msghdr(), 0, RECV_TAG);
            ring.prepSendmsg(ring.nextSqe(), tx, out.msghdr(), 0, SEND_TAG);
            assertEquals(2, ring.submit());

            List<Cqes.Cqe> cqes = Cqes.reap(ring, 2, WAIT_MS);
            assertEquals(2, cqes.size());
            for (Cqes.Cqe cqe : cqes) {
                assertEquals(payload.length(), cqe.res(), "user_data " + cqe.userData());
            }
            assertEquals(Set.of(RECV_TAG, SEND_TAG), Set.of(cqes.get(0).userData(), cqes.get(1).userData()));
            assertEquals(payload, SocketTest.string(in.data(), payload.length()));
            assertEquals(txAddress, Socket.readSockaddr(in.name()), "msg_name holds the sender");
            assertEquals(Socket.SOCKADDR_IN.byteSize(), Socket.msgNamelen(in.msghdr()));
        }
    }

    @Test
    void submitAndWaitReportsTheSubmissionEvenWhenTheWaitTimesOut() {
        try (Arena arena = Arena.ofConfined(); IoUring ring = new IoUring(8, 0)) {
            Msg in = Msg.receive(arena, 64);
            ring.prepRecvmsg(ring.nextSqe(), rx, in.msghdr(), 0, RECV_TAG);
            assertEquals(1, ring.submitAndWait(1, 20_000_000L), "liburing 2.3: submitted 1, not -ETIME");
            assertEquals(0, ring.cqReady(), "and yet nothing completed");
            assertEquals(-Errno.ETIME, ring.submitAndWait(1, 20_000_000L), "nothing to submit: now -ETIME");
        }
    }

    @Test
    void batchOfSendsAndReceivesInOneSubmit() {
        int n = 16;
        try (Arena arena = Arena.ofConfined(); IoUring ring = new IoUring(64, 0)) {
            Msg[] ins = new Msg[n];
            Set<String> sent = new HashSet<>();
            for (int i = 0; i < n; i++) {
                ins[i] = Msg.receive(arena, 64);
                ring.prepRecvmsg(ring.nextSqe(), rx, ins[i].msghdr(), 0, 100 + i);
            }
            for (int i = 0; i < n; i++) {
                String payload = String.format("datagram %02d", i);
                sent.add(payload);
                ring.prepSendmsg(ring.nextSqe(), tx, Msg.sendTo(arena, rxAddress, payload).msghdr(), 0, 200 + i);
            }
            assertEquals(2 * n, ring.submit(), "one submit for all");

            Set<String> received = new HashSet<>();
            int sends = 0;
            for (Cqes.Cqe cqe : Cqes.reap(ring, 2 * n, WAIT_MS)) {
                assertEquals("datagram 00".length(), cqe.res(), "user_data " + cqe.userData());
                if (cqe.userData() >= 200) {
                    sends++;
                } else {
                    received.add(SocketTest.string(ins[(int) cqe.userData() - 100].data(), cqe.res()));
                }
            }
            assertEquals(n, sends);
            assertEquals(sent, received);
        }
    }

    @Test
    void sendZcNotificationFollowsTheSendCompletion() {
        int size = 1024;
        long tag = 77;
        try (Arena arena = Arena.ofConfined(); IoUring ring = new IoUring(8, 0)) {
            assertEquals(0, Socket.connect(tx, rxAddress));
            MemorySegment buf = arena.allocate(size);
            for (int i = 0; i < size; i++) {
                buf.set(JAVA_BYTE, i, (byte) i);
            }
            ring.prepSendZc(ring.nextSqe(), tx, buf, 0, Liburing.IORING_SEND_ZC_REPORT_USAGE, tag);
            assertEquals(1, ring.submit());

            List<Cqes.Cqe> cqes = Cqes.reap(ring, 2, WAIT_MS);
            assertEquals(2, cqes.size());
            Cqes.Cqe sendDone = cqes.get(0);
            Cqes.Cqe notif = cqes.get(1);
            assertEquals(tag, sendDone.userData());
            assertEquals(size, sendDone.res());
            assertTrue(sendDone.has(Liburing.IORING_CQE_F_MORE), "the send says a notification follows");
            assertFalse(sendDone.has(Liburing.IORING_CQE_F_NOTIF));
            assertEquals(tag, notif.userData());
            assertTrue(notif.has(Liburing.IORING_CQE_F_NOTIF), "second CQE is the notification");
            assertFalse(notif.has(Liburing.IORING_CQE_F_MORE), "nothing after the notification");
            assertEquals(0, notif.res() & ~Liburing.IORING_NOTIF_USAGE_ZC_COPIED, "REPORT_USAGE: only the copied bit");
            System.out.println("SEND_ZC over loopback: data "
                    + ((notif.res() & Liburing.IORING_NOTIF_USAGE_ZC_COPIED) != 0 ? "copied" : "sent zero-copy"));

            // the buffer is ours again only now; the datagram arrived intact
            MemorySegment got = arena.allocate(size);
            assertEquals(size, SocketTest.poll(() -> Socket.recv(rx, got, Socket.MSG_DONTWAIT)));
            assertEquals(-1, got.mismatch(buf));
        }
    }

    @Test
    void sendZcFromARegisteredBufferThroughAFixedFile() {
        try (Arena arena = Arena.ofConfined(); IoUring ring = new IoUring(8, 0)) {
            assertEquals(0, Socket.connect(tx, rxAddress));
            MemorySegment area = arena.allocate(4096, 4096); // e.g. a stream's data area
            MemorySegment payload = area.asSlice(512, 9);
            payload.copyFrom(SocketTest.bytes(arena, "fixed buf"));
            MemorySegment iov = arena.allocate(Socket.IOVEC);
            Socket.iovec(iov, 0, area);
            Liburing.io_uring_register_buffers(ring.ring(), iov, 1);
            Liburing.io_uring_register_files(ring.ring(), arena.allocateFrom(JAVA_INT, tx), 1);

            long sqe = ring.nextSqe();
            ring.prepSendZc(sqe, 0, payload, 0, 0, 11); // fd 0: index into the registered files
            ring.sqeSetFlags(sqe, Liburing.IOSQE_FIXED_FILE);
            ring.sqeFixedBuffer(sqe, 0);
            assertEquals(1, ring.submit());
            List<Cqes.Cqe> cqes = Cqes.reap(ring, 2, WAIT_MS);
            assertEquals(9, cqes.get(0).res(), "sent from registered buffer 0: " + cqes);
            assertTrue(cqes.get(1).has(Liburing.IORING_CQE_F_NOTIF));

            MemorySegment got = arena.allocate(64);
            long n = SocketTest.poll(() -> Socket.recv(rx, got, Socket.MSG_DONTWAIT));
            assertEquals("fixed buf", SocketTest.string(got, n));
            Liburing.io_uring_unregister_files(ring.ring());
            Liburing.io_uring_unregister_buffers(ring.ring());
        }
    }

    @Test
    void sendmsgZcToAnUnconnectedPeer() {
        String payload = "sendmsg zero-copy";
        try (Arena arena = Arena.ofConfined(); IoUring ring = new IoUring(8, 0)) {
            Msg out = Msg.sendTo(arena, rxAddress, payload);
            ring.prepSendmsgZc(ring.nextSqe(), tx, out.msghdr(), 0, 5);
            assertEquals(1, ring.submit());
            List<Cqes.Cqe> cqes = Cqes.reap(ring, 2, WAIT_MS);
            assertEquals(payload.length(), cqes.get(0).res());
            assertTrue(cqes.get(1).has(Liburing.IORING_CQE_F_NOTIF));
            MemorySegment got = arena.allocate(64);
            long n = SocketTest.poll(() -> Socket.recv(rx, got, Socket.MSG_DONTWAIT));
            assertEquals(payload, SocketTest.string(got, n));
        }
    }

    @Test
    void multishotRecvmsgFillsProvidedBuffers() {
        int bgid = 3;
        int datagrams = 5;
        VarHandle namelen = IO_URING_RECVMSG_OUT.varHandle(Liburing.path(IO_URING_RECVMSG_OUT, "namelen"));
        VarHandle payloadlen = IO_URING_RECVMSG_OUT.varHandle(Liburing.path(IO_URING_RECVMSG_OUT, "payloadlen"));
        try (Arena arena = Arena.ofConfined();
             IoUring ring = new IoUring(8, 0);
             IoUringBufRing buffers = new IoUringBufRing(ring, bgid, 4, 128)) {
            // multishot: the msghdr only says how much room name and control get in each buffer
            MemorySegment msghdr = arena.allocate(Socket.MSGHDR);
            int nameRoom = (int) Socket.SOCKADDR_IN.byteSize();
            Socket.msghdr(msghdr, MemorySegment.NULL, nameRoom, MemorySegment.NULL, 0, MemorySegment.NULL, 0);
            ring.prepRecvmsgMultishot(ring.nextSqe(), rx, msghdr, 0, bgid, 9);
            assertEquals(1, ring.submit());
            assertEquals(0, Socket.connect(tx, rxAddress));

            long payloadAt = IO_URING_RECVMSG_OUT.byteSize() + nameRoom; // + msg_controllen, 0 here
            for (int i = 0; i < datagrams; i++) { // more datagrams than buffers: each is recycled after use
                String payload = "multishot " + i;
                assertEquals(payload.length(), Socket.send(tx, SocketTest.bytes(arena, payload), 0));
                Cqes.Cqe cqe = Cqes.reap(ring, 1, WAIT_MS).getFirst();
                assertEquals(9, cqe.userData());
                assertTrue(cqe.has(Liburing.IORING_CQE_F_MORE), "still armed: " + cqe);
                assertTrue(cqe.has(Liburing.IORING_CQE_F_BUFFER), "a provided buffer was used: " + cqe);
                int bid = cqe.flags() >>> Liburing.IORING_CQE_BUFFER_SHIFT;
                MemorySegment buf = buffers.buffer(bid);
                assertEquals(payloadAt + payload.length(), cqe.res(), "res covers header, name and payload");
                assertEquals(nameRoom, (int) namelen.get(buf, 0L));
                assertEquals(payload.length(), (int) payloadlen.get(buf, 0L));
                assertEquals(txAddress, Socket.readSockaddr(buf.asSlice(IO_URING_RECVMSG_OUT.byteSize())));
                assertEquals(payload, SocketTest.string(buf.asSlice(payloadAt), payload.length()));
                buffers.recycle(bid);
            }
        }
    }
}
