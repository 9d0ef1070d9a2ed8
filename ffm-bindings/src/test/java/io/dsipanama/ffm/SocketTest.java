package io.dsipanama.ffm;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

@Timeout(30)
class SocketTest {
    private static final InetSocketAddress LOOPBACK = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    private static final long WAIT_MS = 5_000;

    private long openBefore;

    @BeforeEach
    void countOpen() {
        openBefore = OpenFds.socketsAndRings();
    }

    @AfterEach
    void nothingLeftOpen() {
        assertEquals(openBefore, OpenFds.socketsAndRings(), "sockets or rings left open");
    }

    @Test
    void sendmsgAndRecvmsgOverLoopbackWithTwoIovecs() {
        int rx = udp(Socket.AF_INET);
        int tx = udp(Socket.AF_INET);
        try (Arena arena = Arena.ofConfined()) {
            Socket.bind(rx, LOOPBACK);
            Socket.bind(tx, LOOPBACK);
            InetSocketAddress rxAddress = Socket.localAddress(rx);
            InetSocketAddress txAddress = Socket.localAddress(tx);

            MemorySegment dst = arena.allocate(Socket.SOCKADDR_STORAGE);
            int dstLen = Socket.writeSockaddr(dst, rxAddress);
            MemorySegment header = bytes(arena, "header|");
            MemorySegment body = bytes(arena, "body of the datagram");
            MemorySegment iov = arena.allocate(Socket.IOVEC, 2);
            Socket.iovec(iov, 0, header);
            Socket.iovec(iov, 1, body);
            MemorySegment msg = arena.allocate(Socket.MSGHDR);
            Socket.msghdr(msg, dst, dstLen, iov, 2, MemorySegment.NULL, 0);
            long total = header.byteSize() + body.byteSize();
            assertEquals(total, Socket.sendmsg(tx, msg, 0));

            MemorySegment from = arena.allocate(Socket.SOCKADDR_STORAGE);
            MemorySegment buf = arena.allocate(256);
            MemorySegment rxIov = arena.allocate(Socket.IOVEC);
            Socket.iovec(rxIov, 0, buf);
            MemorySegment rxMsg = arena.allocate(Socket.MSGHDR);
            Socket.msghdr(rxMsg, from, (int) from.byteSize(), rxIov, 1, MemorySegment.NULL, 0);
            long n = poll(() -> Socket.recvmsg(rx, rxMsg, Socket.MSG_DONTWAIT));

            assertEquals(total, n);
            assertEquals("header|body of the datagram", string(buf, n));
            assertEquals(Socket.SOCKADDR_IN.byteSize(), Socket.msgNamelen(rxMsg));
            assertEquals(txAddress, Socket.readSockaddr(from));
            assertEquals(0, Socket.msgFlags(rxMsg));
        } finally {
            Unistd.close(rx);
            Unistd.close(tx);
        }
    }

    @Test
    void recvmsgWithMsgTruncReportsTheFullLength() {
        int rx = udp(Socket.AF_INET);
        int tx = udp(Socket.AF_INET);
        try (Arena arena = Arena.ofConfined()) {
            Socket.bind(rx, LOOPBACK);
            assertEquals(0, Socket.connect(tx, Socket.localAddress(rx)));
            assertEquals(100, Socket.send(tx, arena.allocate(100), 0));

            MemorySegment small = arena.allocate(10);
            MemorySegment iov = arena.allocate(Socket.IOVEC);
            Socket.iovec(iov, 0, small);
            MemorySegment msg = arena.allocate(Socket.MSGHDR);
            Socket.msghdr(msg, MemorySegment.NULL, 0, iov, 1, MemorySegment.NULL, 0);
            assertEquals(100, poll(() -> Socket.recvmsg(rx, msg, Socket.MSG_DONTWAIT | Socket.MSG_TRUNC)));
            assertTrue((Socket.msgFlags(msg) & Socket.MSG_TRUNC) != 0, "MSG_TRUNC set in msg_flags");
            assertEquals(-Errno.EAGAIN, Socket.recv(rx, small, Socket.MSG_DONTWAIT), "nothing more queued");
        } finally {
            Unistd.close(rx);
            Unistd.close(tx);
        }
    }

    @Test
    void optionsReadBackThroughGetsockopt() throws IOException {
        int fd = udp(Socket.AF_INET);
        try {
            Socket.setsockoptInt(fd, Socket.SOL_SOCKET, Socket.SO_PRIORITY, 6);
            assertEquals(6, Socket.getsockoptInt(fd, Socket.SOL_SOCKET, Socket.SO_PRIORITY));

            int dscpEf = 46 << 2;
            Socket.setsockoptInt(fd, Socket.IPPROTO_IP, Socket.IP_TOS, dscpEf);
            assertEquals(dscpEf, Socket.getsockoptInt(fd, Socket.IPPROTO_IP, Socket.IP_TOS));

            // socket(7): the kernel doubles the value (bookkeeping overhead), capped by rmem_max
            int requested = 64 * 1024;
            // not Files.readString: it reads 1 byte first, and a sysctl read at a non-zero offset is EOF
            long rmemMax = Long.parseLong(Files.readAllLines(Path.of("/proc/sys/net/core/rmem_max")).getFirst().trim());
            Socket.setsockoptInt(fd, Socket.SOL_SOCKET, Socket.SO_RCVBUF, requested);
            assertEquals(2 * Math.min(requested, rmemMax),
                    Socket.getsockoptInt(fd, Socket.SOL_SOCKET, Socket.SO_RCVBUF));

            Socket.setsockoptInt(fd, Socket.SOL_SOCKET, Socket.SO_REUSEADDR, 1);
            assertEquals(1, Socket.getsockoptInt(fd, Socket.SOL_SOCKET, Socket.SO_REUSEADDR));
            Socket.setsockoptInt(fd, Socket.SOL_UDP, Socket.UDP_SEGMENT, 1200);
            assertEquals(1200, Socket.getsockoptInt(fd, Socket.SOL_UDP, Socket.UDP_SEGMENT));
            Socket.setsockoptInt(fd, Socket.SOL_UDP, Socket.UDP_GRO, 1);
            assertEquals(1, Socket.getsockoptInt(fd, Socket.SOL_UDP, Socket.UDP_GRO));
            Socket.setsockoptInt(fd, Socket.SOL_SOCKET, Socket.SO_ZEROCOPY, 1);
            assertEquals(1, Socket.getsockoptInt(fd, Socket.SOL_SOCKET, Socket.SO_ZEROCOPY));
        } finally {
            Unistd.close(fd);
        }
    }

    @Test
    void ipv4SockaddrIsWrittenInNetworkOrderAndReadBack() throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment sa = arena.allocate(Socket.SOCKADDR_STORAGE);
            sa.fill((byte) 0x5a);
            InetSocketAddress address = new InetSocketAddress(InetAddress.getByName("192.0.2.1"), 54321);
            assertEquals(16, Socket.writeSockaddr(sa, address));
            byte[] expected = {2, 0, (byte) 0xd4, 0x31, (byte) 192, 0, 2, 1, 0, 0, 0, 0, 0, 0, 0, 0};
            assertArrayEquals(expected, sa.asSlice(0, 16).toArray(JAVA_BYTE), "family LE, port and address BE, zeroed");
            assertEquals(address, Socket.readSockaddr(sa));
        }
    }

    @Test
    void ipv6SockaddrRoundTripsWithScopeAndThroughTheKernel() throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment sa = arena.allocate(Socket.SOCKADDR_STORAGE);
            byte[] linkLocal = InetAddress.getByName("fe80::1").getAddress();
            InetSocketAddress address = new InetSocketAddress(Inet6Address.getByAddress(null, linkLocal, 3), 54321);
            assertEquals(28, Socket.writeSockaddr(sa, address));
            assertEquals(Socket.AF_INET6, sa.get(java.lang.foreign.ValueLayout.JAVA_SHORT, 0));
            assertEquals((byte) 0xd4, sa.get(JAVA_BYTE, 2));
            assertEquals(0, Socket.sin6Flowinfo(sa));
            InetSocketAddress back = Socket.readSockaddr(sa);
            assertEquals(address, back);
            assertEquals(3, ((Inet6Address) back.getAddress()).getScopeId());
        }
        int fd = udp(Socket.AF_INET6);
        try {
            Socket.bind(fd, new InetSocketAddress(InetAddress.getByName("::1"), 0));
            InetSocketAddress bound = Socket.localAddress(fd);
            assertEquals(InetAddress.getByName("::1"), bound.getAddress());
            assertNotEquals(0, bound.getPort());
        } finally {
            Unistd.close(fd);
        }
    }

    @Test
    void bindingAPortInUseThrowsEaddrinuse() {
        int first = udp(Socket.AF_INET);
        int second = udp(Socket.AF_INET);
        try {
            Socket.bind(first, LOOPBACK);
            InetSocketAddress taken = Socket.localAddress(first);
            ErrnoException e = assertThrows(ErrnoException.class, () -> Socket.bind(second, taken));
            assertEquals(Errno.EADDRINUSE, e.errno());
            assertEquals("bind", e.call());
            assertTrue(e.getMessage().contains("EADDRINUSE"), e.getMessage());
            assertTrue(e.getMessage().contains(":" + taken.getPort()), "names the address: " + e.getMessage());
        } finally {
            Unistd.close(first);
            Unistd.close(second);
        }
    }

    @Test
    void tcpListenConnectAcceptShutdown() {
        int type = Socket.SOCK_STREAM | Socket.SOCK_NONBLOCK | Socket.SOCK_CLOEXEC;
        int listener = Socket.socket(Socket.AF_INET, type, 0);
        int client = Socket.socket(Socket.AF_INET, type, 0);
        int server = -1;
        try (Arena arena = Arena.ofConfined()) {
            Socket.bind(listener, LOOPBACK);
            Socket.listen(listener, Socket.SOMAXCONN);
            InetSocketAddress listening = Socket.localAddress(listener);
            assertEquals(-Errno.EAGAIN, Socket.accept4(listener, MemorySegment.NULL, MemorySegment.NULL, 0));

            int rc = Socket.connect(client, listening);
            assertTrue(rc == 0 || rc == -Errno.EINPROGRESS, "connect: " + rc);
            MemorySegment peer = arena.allocate(Socket.SOCKADDR_STORAGE);
            MemorySegment peerLen = arena.allocateFrom(JAVA_INT, (int) peer.byteSize());
            server = (int) poll(() -> Socket.accept4(listener, peer, peerLen, Socket.SOCK_CLOEXEC));
            assertEquals(Socket.localAddress(client), Socket.readSockaddr(peer));
            pollUntil(() -> Socket.getsockoptInt(client, Socket.SOL_SOCKET, Socket.SO_ERROR) == 0
                    && peerOf(arena, client).equals(listening));

            Socket.setsockoptInt(client, Socket.IPPROTO_TCP, Socket.TCP_NODELAY, 1);
            assertEquals(1, Socket.getsockoptInt(client, Socket.IPPROTO_TCP, Socket.TCP_NODELAY));
            assertEquals(5, Socket.send(client, bytes(arena, "hello"), Socket.MSG_NOSIGNAL));
            Socket.shutdown(client, Socket.SHUT_WR);

            MemorySegment buf = arena.allocate(64);
            int s = server;
            long n = poll(() -> Socket.recv(s, buf, 0));
            assertEquals("hello", string(buf, n));
            assertEquals(0, poll(() -> Socket.recv(s, buf, 0)), "end of stream after SHUT_WR");
        } finally {
            if (server >= 0) {
                Unistd.close(server);
            }
            Unistd.close(client);
            Unistd.close(listener);
        }
    }

    @Test
    void cmsgMacrosMatchTheHeaders() {
        Map<String, Long> probe = LayoutProbe.entries();
        for (int len : new int[] {1, 4, 8, 13}) {
            assertEquals(probe.get("CMSG_ALIGN_" + len), Socket.cmsgAlign(len), "CMSG_ALIGN(" + len + ")");
        }
        for (int len : new int[] {0, 2, 4, 16, 17}) {
            assertEquals(probe.get("CMSG_SPACE_" + len), Socket.cmsgSpace(len), "CMSG_SPACE(" + len + ")");
            assertEquals(probe.get("CMSG_LEN_" + len), Socket.cmsgLen(len), "CMSG_LEN(" + len + ")");
        }
    }

    private static InetSocketAddress peerOf(Arena arena, int fd) {
        MemorySegment sa = arena.allocate(Socket.SOCKADDR_STORAGE);
        Socket.getpeername(fd, sa, arena.allocateFrom(JAVA_INT, (int) sa.byteSize()));
        return Socket.readSockaddr(sa);
    }

    static int udp(int family) {
        return Socket.socket(family, Socket.SOCK_DGRAM | Socket.SOCK_CLOEXEC, 0);
    }

    static MemorySegment bytes(Arena arena, String s) {
        return arena.allocateFrom(JAVA_BYTE, s.getBytes(StandardCharsets.US_ASCII));
    }

    static String string(MemorySegment buf, long n) {
        return new String(buf.asSlice(0, n).toArray(JAVA_BYTE), StandardCharsets.US_ASCII);
    }

    /** Retries a non-blocking call while it returns -EAGAIN, up to the deadline. */
    static long poll(LongSupplier call) {
        long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MS);
        while (true) {
            long rc = call.getAsLong();
            if (rc != -Errno.EAGAIN) {
                return rc;
            }
            if (deadlineNs - System.nanoTime() <= 0) {
                fail("still EAGAIN after " + WAIT_MS + " ms");
            }
            LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(100));
        }
    }

    private static void pollUntil(java.util.function.BooleanSupplier condition) {
        long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MS);
        while (!condition.getAsBoolean()) {
            if (deadlineNs - System.nanoTime() <= 0) {
                fail("condition not met within " + WAIT_MS + " ms");
            }
            LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(100));
        }
    }
}
