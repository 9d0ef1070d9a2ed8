package io.dsipanama.ffm;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteOrder;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * {@code <sys/socket.h>}, {@code <netinet/in.h>}, {@code <netinet/tcp.h>}, {@code <netinet/udp.h>}
 * ({@code <linux/udp.h>} has the same UDP values): socket(2), bind(2), connect(2), listen(2), accept4(2),
 * getsockname(2), getpeername(2), setsockopt(2)/getsockopt(2), sendmsg(2), recvmsg(2), send(2), recv(2),
 * shutdown(2); options in socket(7), ip(7), ipv6(7), tcp(7), udp(7). Minimum kernels: {@code SO_ZEROCOPY}
 * and {@code MSG_ZEROCOPY} 4.14, {@code UDP_SEGMENT} (GSO) 4.18, {@code UDP_GRO} 5.0.
 *
 * <p>Errors: {@code EAGAIN} (which Linux also calls {@code EWOULDBLOCK}), {@code EINTR} and, for
 * {@link #connect}, {@code EINPROGRESS} are expected on non-blocking sockets and come back as
 * {@code -errno}; every other failure throws {@link ErrnoException} naming the call and its arguments.
 *
 * <p>Byte order: the layouts declare {@code sin_port}, {@code sin_addr.s_addr}, {@code sin6_port} and
 * {@code sin6_flowinfo} big-endian, as the kernel stores them, so a {@link VarHandle} derived from them
 * converts by itself. {@link #writeSockaddr} and {@link #readSockaddr} do the whole conversion.
 *
 * <p>Buffers passed to the kernel must be native segments that live until the call returns (or, for an
 * io_uring submission, until its completion).
 */
@SuppressWarnings("restricted")
public final class Socket {
    public static final int AF_UNSPEC = 0;
    public static final int AF_INET = 2;
    public static final int AF_INET6 = 10;

    public static final int SOCK_STREAM = 1;
    public static final int SOCK_DGRAM = 2;
    public static final int SOCK_NONBLOCK = 04000;
    public static final int SOCK_CLOEXEC = 02000000;

    public static final int IPPROTO_IP = 0;
    public static final int IPPROTO_TCP = 6;
    public static final int IPPROTO_UDP = 17;
    public static final int IPPROTO_IPV6 = 41;

    public static final int SOL_SOCKET = 1;
    public static final int SOL_IP = 0;
    public static final int SOL_TCP = 6;
    public static final int SOL_UDP = 17;

    public static final int SO_REUSEADDR = 2;
    public static final int SO_ERROR = 4;
    public static final int SO_SNDBUF = 7;
    public static final int SO_RCVBUF = 8;
    /** Queueing priority 0..6 without CAP_NET_ADMIN; selects the qdisc band (Prioritized IP). */
    public static final int SO_PRIORITY = 12;
    public static final int SO_REUSEPORT = 15;
    public static final int SO_SNDBUFFORCE = 32;
    public static final int SO_RCVBUFFORCE = 33;
    public static final int SO_TIMESTAMPNS = 35;
    public static final int SO_ZEROCOPY = 60;
    /**
     * Upper bound on a socket's pacing rate in bytes per second ({@code unsigned long} since Linux 5.x; an
     * {@code int} value is accepted). Setting it makes TCP pace by itself (internal pacing, Linux 4.13)
     * when no {@code fq} qdisc does.
     */
    public static final int SO_MAX_PACING_RATE = 47;

    /** The IPv4 TOS byte: DSCP in the upper six bits (e.g. EF = 46 is {@code 46 << 2}). */
    public static final int IP_TOS = 1;
    /** Asks for an {@code IP_TOS} control message with each received datagram (ip(7)). */
    public static final int IP_RECVTOS = 13;
    public static final int IPV6_V6ONLY = 26;
    /** Asks for an {@code IPV6_TCLASS} control message with each received datagram (ipv6(7)). */
    public static final int IPV6_RECVTCLASS = 66;
    public static final int IPV6_TCLASS = 67;
    public static final int TCP_NODELAY = 1;
    /** UDP GSO: the kernel cuts one large send into datagrams of this size (Linux 4.18). */
    public static final int UDP_SEGMENT = 103;
    /** UDP GRO: received datagrams may be coalesced; the segment size arrives as a cmsg (Linux 5.0). */
    public static final int UDP_GRO = 104;

    public static final int MSG_CTRUNC = 0x08;
    public static final int MSG_TRUNC = 0x20;
    public static final int MSG_DONTWAIT = 0x40;
    public static final int MSG_WAITALL = 0x100;
    public static final int MSG_ERRQUEUE = 0x2000;
    public static final int MSG_NOSIGNAL = 0x4000;
    public static final int MSG_ZEROCOPY = 0x4000000;

    public static final int SHUT_RD = 0;
    public static final int SHUT_WR = 1;
    public static final int SHUT_RDWR = 2;

    public static final int SOMAXCONN = 4096;
    /** In host byte order, as the C macros are; {@link #writeSockaddr} is the usual way in. */
    public static final int INADDR_ANY = 0;
    public static final int INADDR_LOOPBACK = 0x7f000001;

    /** Network byte order, for the address fields. */
    private static final ValueLayout.OfShort NET_SHORT = JAVA_SHORT.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt NET_INT = JAVA_INT.withOrder(ByteOrder.BIG_ENDIAN);

    /** {@code struct sockaddr_storage}: room and alignment for any address family (128 bytes). */
    public static final StructLayout SOCKADDR_STORAGE = MemoryLayout.structLayout(
            JAVA_SHORT.withName("ss_family"),
            MemoryLayout.paddingLayout(126)).withByteAlignment(8).withName("sockaddr_storage");

    /** {@code struct in_addr} inside {@code sockaddr_in}; {@code s_addr} is in network byte order. */
    private static final StructLayout IN_ADDR = MemoryLayout.structLayout(NET_INT.withName("s_addr"));

    public static final StructLayout SOCKADDR_IN = MemoryLayout.structLayout(
            JAVA_SHORT.withName("sin_family"),
            NET_SHORT.withName("sin_port"),
            IN_ADDR.withName("sin_addr"),
            MemoryLayout.sequenceLayout(8, JAVA_BYTE).withName("sin_zero")).withName("sockaddr_in");

    /** {@code struct sockaddr_in6}; {@code sin6_addr} (a union in C) is 16 bytes in network order. */
    public static final StructLayout SOCKADDR_IN6 = MemoryLayout.structLayout(
            JAVA_SHORT.withName("sin6_family"),
            NET_SHORT.withName("sin6_port"),
            NET_INT.withName("sin6_flowinfo"),
            MemoryLayout.sequenceLayout(16, JAVA_BYTE).withName("sin6_addr"),
            JAVA_INT.withName("sin6_scope_id")).withName("sockaddr_in6");

    public static final StructLayout IOVEC = MemoryLayout.structLayout(
            ADDRESS.withName("iov_base"),
            JAVA_LONG.withName("iov_len")).withName("iovec");

    public static final StructLayout MSGHDR = MemoryLayout.structLayout(
            ADDRESS.withName("msg_name"),
            JAVA_INT.withName("msg_namelen"),
            MemoryLayout.paddingLayout(4),
            ADDRESS.withName("msg_iov"),
            JAVA_LONG.withName("msg_iovlen"),
            ADDRESS.withName("msg_control"),
            JAVA_LONG.withName("msg_controllen"),
            JAVA_INT.withName("msg_flags"),
            MemoryLayout.paddingLayout(4)).withName("msghdr");

    /** {@code struct cmsghdr}; the data follows at {@link #cmsgLen cmsgLen(0)}. */
    public static final StructLayout CMSGHDR = MemoryLayout.structLayout(
            JAVA_LONG.withName("cmsg_len"),
            JAVA_INT.withName("cmsg_level"),
            JAVA_INT.withName("cmsg_type")).withName("cmsghdr");

    private static final VarHandle SIN_FAMILY = field(SOCKADDR_IN, "sin_family");
    private static final VarHandle SIN_PORT = field(SOCKADDR_IN, "sin_port");
    private static final long SIN_ADDR = SOCKADDR_IN.byteOffset(PathElement.groupElement("sin_addr"));
    private static final VarHandle SIN6_FAMILY = field(SOCKADDR_IN6, "sin6_family");
    private static final VarHandle SIN6_PORT = field(SOCKADDR_IN6, "sin6_port");
    private static final VarHandle SIN6_FLOWINFO = field(SOCKADDR_IN6, "sin6_flowinfo");
    private static final long SIN6_ADDR = SOCKADDR_IN6.byteOffset(PathElement.groupElement("sin6_addr"));
    private static final VarHandle SIN6_SCOPE_ID = field(SOCKADDR_IN6, "sin6_scope_id");
    private static final VarHandle MSG_NAME = field(MSGHDR, "msg_name");
    private static final VarHandle MSG_NAMELEN = field(MSGHDR, "msg_namelen");
    private static final VarHandle MSG_IOV = field(MSGHDR, "msg_iov");
    private static final VarHandle MSG_IOVLEN = field(MSGHDR, "msg_iovlen");
    private static final VarHandle MSG_CONTROL = field(MSGHDR, "msg_control");
    private static final VarHandle MSG_CONTROLLEN = field(MSGHDR, "msg_controllen");
    private static final VarHandle MSG_FLAGS = field(MSGHDR, "msg_flags");
    private static final VarHandle IOV_BASE = field(IOVEC, "iov_base");
    private static final VarHandle IOV_LEN = field(IOVEC, "iov_len");

    private static final MethodHandle SOCKET = Native.libc("socket",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), Native.ERRNO);
    private static final MethodHandle BIND = Native.libc("bind",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT), Native.ERRNO);
    private static final MethodHandle CONNECT = Native.libc("connect",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT), Native.ERRNO);
    private static final MethodHandle LISTEN = Native.libc("listen",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), Native.ERRNO);
    private static final MethodHandle ACCEPT4 = Native.libc("accept4",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT), Native.ERRNO);
    private static final MethodHandle GETSOCKNAME = Native.libc("getsockname",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS), Native.ERRNO);
    private static final MethodHandle GETPEERNAME = Native.libc("getpeername",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS), Native.ERRNO);
    private static final MethodHandle SETSOCKOPT = Native.libc("setsockopt",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT), Native.ERRNO);
    private static final MethodHandle GETSOCKOPT = Native.libc("getsockopt",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS), Native.ERRNO);
    private static final MethodHandle SENDMSG = Native.libc("sendmsg",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT), Native.ERRNO);
    private static final MethodHandle RECVMSG = Native.libc("recvmsg",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT), Native.ERRNO);
    private static final MethodHandle SEND = Native.libc("send",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT), Native.ERRNO);
    private static final MethodHandle RECV = Native.libc("recv",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT), Native.ERRNO);
    private static final MethodHandle SHUTDOWN = Native.libc("shutdown",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), Native.ERRNO);

    private Socket() {
    }

    /** socket(2); returns the descriptor. */
    public static int socket(int domain, int type, int protocol) {
        MemorySegment state = Errno.state();
        int rc;
        try {
            rc = (int) SOCKET.invokeExact(state, domain, type, protocol);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
        if (rc < 0) {
            throw ErrnoException.of("socket", Errno.read(state), "domain", domain, "type", type, "protocol", protocol);
        }
        return rc;
    }

    /** bind(2). {@code EADDRINUSE} throws: the exception names the address. */
    public static void bind(int fd, MemorySegment addr, int addrlen) {
        MemorySegment state = Errno.state();
        int rc;
        try {
            rc = (int) BIND.invokeExact(state, fd, addr, addrlen);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
        if (rc < 0) {
            throw ErrnoException.of("bind", Errno.read(state), "fd", fd, "addr", describe(addr, addrlen),
                    "addrlen", addrlen);
        }
    }

    /** bind(2) to an IPv4 or IPv6 socket address. */
    public static void bind(int fd, InetSocketAddress address) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment sa = arena.allocate(SOCKADDR_STORAGE);
            bind(fd, sa, writeSockaddr(sa, address));
        }
    }

    /**
     * connect(2). Returns 0, or on a non-blocking socket {@code -EINPROGRESS} (a TCP handshake goes on:
     * wait for writability and read {@code SO_ERROR}), {@code -EAGAIN} or {@code -EINTR}.
     */
    public static int connect(int fd, MemorySegment addr, int addrlen) {
        MemorySegment state = Errno.state();
        int rc;
        try {
            rc = (int) CONNECT.invokeExact(state, fd, addr, addrlen);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
        if (rc < 0) {
            int errno = Errno.read(state);
            if (errno == Errno.EINPROGRESS || errno == Errno.EAGAIN || errno == Errno.EINTR) {
                return -errno;
            }
            throw ErrnoException.of("connect", errno, "fd", fd, "addr", describe(addr, addrlen), "addrlen", addrlen);
        }
        return 0;
    }

    /** connect(2) to an IPv4 or IPv6 socket address; same return values. */
    public static int connect(int fd, InetSocketAddress address) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment sa = arena.allocate(SOCKADDR_STORAGE);
            return connect(fd, sa, writeSockaddr(sa, address));
        }
    }

    /** listen(2). */
    public static void listen(int fd, int backlog) {
        MemorySegment state = Errno.state();
        int rc;
        try {
            rc = (int) LISTEN.invokeExact(state, fd, backlog);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
        if (rc < 0) {
            throw ErrnoException.of("listen", Errno.read(state), "fd", fd, "backlog", backlog);
        }
    }

    /**
     * accept4(2). {@code addr} and {@code addrlen} (a 4-byte in/out length) may both be
     * {@link MemorySegment#NULL}. Returns the new descriptor, {@code -EAGAIN} when none is pending on a
     * non-blocking socket, or {@code -EINTR}.
     */
    public static int accept4(int fd, MemorySegment addr, MemorySegment addrlen, int flags) {
        MemorySegment state = Errno.state();
        int rc;
        try {
            rc = (int) ACCEPT4.invokeExact(state, fd, addr, addrlen, flags);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
        if (rc < 0) {
            int errno = Errno.read(state);
            if (errno == Errno.EAGAIN || errno == Errno.EINTR) {
                return -errno;
            }
            throw ErrnoException.of("accept4", errno, "fd", fd, "flags", flags);
        }
        return rc;
    }

    /** getsockname(2); {@code addrlen} is a 4-byte in/out length. */
    public static void getsockname(int fd, MemorySegment addr, MemorySegment addrlen) {
        MemorySegment state = Errno.state();
        int rc;
        try {
            rc = (int) GETSOCKNAME.invokeExact(state, fd, addr, addrlen);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
        if (rc < 0) {
            throw ErrnoException.of("getsockname", Errno.read(state), "fd", fd);
        }
    }

    /** getpeername(2); {@code addrlen} is a 4-byte in/out length. */
    public static void getpeername(int fd, MemorySegment addr, MemorySegment addrlen) {
        MemorySegment state = Errno.state();
        int rc;
        try {
            rc = (int) GETPEERNAME.invokeExact(state, fd, addr, addrlen);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
        if (rc < 0) {
            throw ErrnoException.of("getpeername", Errno.read(state), "fd", fd);
        }
    }

    /** The address the socket is bound to (getsockname(2)), e.g. to learn an ephemeral port. */
    public static InetSocketAddress localAddress(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment sa = arena.allocate(SOCKADDR_STORAGE);
            MemorySegment len = arena.allocateFrom(JAVA_INT, (int) SOCKADDR_STORAGE.byteSize());
            getsockname(fd, sa, len);
            return readSockaddr(sa);
        }
    }

    /** setsockopt(2) with a value of {@code optlen} bytes. */
    public static void setsockopt(int fd, int level, int optname, MemorySegment optval, int optlen) {
        MemorySegment state = Errno.state();
        int rc;
        try {
            rc = (int) SETSOCKOPT.invokeExact(state, fd, level, optname, optval, optlen);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
        if (rc < 0) {
            throw ErrnoException.of("setsockopt", Errno.read(state), "fd", fd, "level", level, "optname", optname,
                    "optlen", optlen);
        }
    }

    /** getsockopt(2); {@code optlen} is a 4-byte in/out length. */
    public static void getsockopt(int fd, int level, int optname, MemorySegment optval, MemorySegment optlen) {
        MemorySegment state = Errno.state();
        int rc;
        try {
            rc = (int) GETSOCKOPT.invokeExact(state, fd, level, optname, optval, optlen);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
        if (rc < 0) {
            throw ErrnoException.of("getsockopt", Errno.read(state), "fd", fd, "level", level, "optname", optname);
        }
    }

    /** setsockopt(2) for the common int-valued options. */
    public static void setsockoptInt(int fd, int level, int optname, int value) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment v = arena.allocateFrom(JAVA_INT, value);
            MemorySegment state = Errno.state();
            int rc;
            try {
                rc = (int) SETSOCKOPT.invokeExact(state, fd, level, optname, v, (int) JAVA_INT.byteSize());
            } catch (Throwable t) {
                throw Native.rethrow(t);
            }
            if (rc < 0) {
                throw ErrnoException.of("setsockopt", Errno.read(state), "fd", fd, "level", level,
                        "optname", optname, "value", value);
            }
        }
    }

    /** getsockopt(2) for the common int-valued options. */
    public static int getsockoptInt(int fd, int level, int optname) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment v = arena.allocate(JAVA_INT);
            MemorySegment len = arena.allocateFrom(JAVA_INT, (int) JAVA_INT.byteSize());
            getsockopt(fd, level, optname, v, len);
            return v.get(JAVA_INT, 0);
        }
    }

    /** sendmsg(2); returns the bytes sent, {@code -EAGAIN} or {@code -EINTR}. */
    public static long sendmsg(int fd, MemorySegment msghdr, int flags) {
        MemorySegment state = Errno.state();
        long rc;
        try {
            rc = (long) SENDMSG.invokeExact(state, fd, msghdr, flags);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
        return rc >= 0 ? rc : expected("sendmsg", Errno.read(state), fd, flags);
    }

    /**
     * recvmsg(2); returns the bytes received (a datagram's full length when {@code MSG_TRUNC} is passed),
     * {@code -EAGAIN} or {@code -EINTR}. The kernel updates {@code msg_namelen}, {@code msg_controllen}
     * and {@code msg_flags} in {@code msghdr}.
     */
    public static long recvmsg(int fd, MemorySegment msghdr, int flags) {
        MemorySegment state = Errno.state();
        long rc;
        try {
            rc = (long) RECVMSG.invokeExact(state, fd, msghdr, flags);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
        return rc >= 0 ? rc : expected("recvmsg", Errno.read(state), fd, flags);
    }

    /** send(2) of the whole of {@code buf}; returns the bytes sent, {@code -EAGAIN} or {@code -EINTR}. */
    public static long send(int fd, MemorySegment buf, int flags) {
        MemorySegment state = Errno.state();
        long rc;
        try {
            rc = (long) SEND.invokeExact(state, fd, buf, buf.byteSize(), flags);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
        return rc >= 0 ? rc : expected("send", Errno.read(state), fd, flags);
    }

    /**
     * recv(2) into {@code buf} (up to its size); returns the bytes received, 0 at a stream's end,
     * {@code -EAGAIN} or {@code -EINTR}.
     */
    public static long recv(int fd, MemorySegment buf, int flags) {
        MemorySegment state = Errno.state();
        long rc;
        try {
            rc = (long) RECV.invokeExact(state, fd, buf, buf.byteSize(), flags);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
        return rc >= 0 ? rc : expected("recv", Errno.read(state), fd, flags);
    }

    /** shutdown(2). */
    public static void shutdown(int fd, int how) {
        MemorySegment state = Errno.state();
        int rc;
        try {
            rc = (int) SHUTDOWN.invokeExact(state, fd, how);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
        if (rc < 0) {
            throw ErrnoException.of("shutdown", Errno.read(state), "fd", fd, "how", how);
        }
    }

    private static long expected(String call, int errno, int fd, int flags) {
        if (errno == Errno.EAGAIN || errno == Errno.EINTR) {
            return -errno;
        }
        throw ErrnoException.of(call, errno, "fd", fd, "flags", flags);
    }

    // ---- socket addresses ------------------------------------------------------------------------

    /**
     * Writes {@code address} as a {@code sockaddr_in} (IPv4) or {@code sockaddr_in6} (IPv6, with its scope
     * id) at the start of {@code sa}, port and address in network byte order, padding zeroed. Returns the
     * length to pass as {@code addrlen} / {@code msg_namelen}. An unresolved address is refused.
     */
    public static int writeSockaddr(MemorySegment sa, InetSocketAddress address) {
        InetAddress ip = address.getAddress();
        if (ip == null) {
            throw new IllegalArgumentException("unresolved address: " + address);
        }
        if (ip instanceof Inet4Address) {
            int len = (int) SOCKADDR_IN.byteSize();
            sa.asSlice(0, len).fill((byte) 0);
            SIN_FAMILY.set(sa, 0L, (short) AF_INET);
            SIN_PORT.set(sa, 0L, (short) address.getPort());
            MemorySegment.copy(ip.getAddress(), 0, sa, JAVA_BYTE, SIN_ADDR, 4);
            return len;
        }
        Inet6Address ip6 = (Inet6Address) ip;
        int len = (int) SOCKADDR_IN6.byteSize();
        sa.asSlice(0, len).fill((byte) 0);
        SIN6_FAMILY.set(sa, 0L, (short) AF_INET6);
        SIN6_PORT.set(sa, 0L, (short) address.getPort());
        MemorySegment.copy(ip6.getAddress(), 0, sa, JAVA_BYTE, SIN6_ADDR, 16);
        SIN6_SCOPE_ID.set(sa, 0L, ip6.getScopeId());
        return len;
    }

    /**
     * Reads the {@code sockaddr_in} or {@code sockaddr_in6} at the start of {@code sa} (as filled by the
     * kernel: getsockname, recvmsg's {@code msg_name}, accept4). Other families are refused.
     */
    public static InetSocketAddress readSockaddr(MemorySegment sa) {
        // every sockaddr starts with its family (sa_family_t), so sin_family reads any of them
        int family = Short.toUnsignedInt((short) SIN_FAMILY.get(sa, 0L));
        try {
            if (family == AF_INET) {
                byte[] ip = new byte[4];
                MemorySegment.copy(sa, JAVA_BYTE, SIN_ADDR, ip, 0, 4);
                int port = Short.toUnsignedInt((short) SIN_PORT.get(sa, 0L));
                return new InetSocketAddress(InetAddress.getByAddress(ip), port);
            }
            if (family == AF_INET6) {
                byte[] ip = new byte[16];
                MemorySegment.copy(sa, JAVA_BYTE, SIN6_ADDR, ip, 0, 16);
                int port = Short.toUnsignedInt((short) SIN6_PORT.get(sa, 0L));
                int scope = (int) SIN6_SCOPE_ID.get(sa, 0L);
                // getByAddress(host, addr, scope) keeps IPv4-mapped addresses as Inet6Address
                return new InetSocketAddress(Inet6Address.getByAddress(null, ip, scope), port);
            }
        } catch (UnknownHostException e) {
            throw new AssertionError("an address of the right length was refused", e);
        }
        throw new IllegalArgumentException("not an AF_INET or AF_INET6 address: family " + family);
    }

    /** {@code sin6_flowinfo} as stored (network order converted), for callers that set flow labels. */
    public static int sin6Flowinfo(MemorySegment sa) {
        return (int) SIN6_FLOWINFO.get(sa, 0L);
    }

    /**
     * The address for an error message. Only read when the caller's segment covers {@code addrlen}: a
     * pointer the kernel refused (EFAULT) must not be dereferenced here.
     */
    private static String describe(MemorySegment addr, int addrlen) {
        if (addr.address() != 0 && addrlen >= SOCKADDR_IN.byteSize() && addr.byteSize() >= addrlen) {
            try {
                return readSockaddr(addr).toString();
            } catch (RuntimeException e) {
                // not an inet address, or shorter than its family needs: fall through to the pointer
            }
        }
        return "0x" + Long.toHexString(addr.address());
    }

    // ---- msghdr and iovec ------------------------------------------------------------------------

    /**
     * Fills the {@code msghdr} at the start of {@code msghdr}: {@code name} may be {@link MemorySegment#NULL}
     * (connected sockets) and {@code control} too; {@code iovlen} entries of {@link #IOVEC} at {@code iov}.
     * {@code msg_flags} is zeroed (recvmsg sets it).
     */
    public static void msghdr(MemorySegment msghdr, MemorySegment name, int namelen, MemorySegment iov, long iovlen,
                              MemorySegment control, long controllen) {
        MSG_NAME.set(msghdr, 0L, name);
        MSG_NAMELEN.set(msghdr, 0L, namelen);
        MSG_IOV.set(msghdr, 0L, iov);
        MSG_IOVLEN.set(msghdr, 0L, iovlen);
        MSG_CONTROL.set(msghdr, 0L, control);
        MSG_CONTROLLEN.set(msghdr, 0L, controllen);
        MSG_FLAGS.set(msghdr, 0L, 0);
    }

    /** Sets entry {@code index} of an {@link #IOVEC} array to the whole of {@code buf}. */
    public static void iovec(MemorySegment iovecs, long index, MemorySegment buf) {
        long at = index * IOVEC.byteSize();
        IOV_BASE.set(iovecs, at, buf);
        IOV_LEN.set(iovecs, at, buf.byteSize());
    }

    public static int msgNamelen(MemorySegment msghdr) {
        return (int) MSG_NAMELEN.get(msghdr, 0L);
    }

    public static long msgControllen(MemorySegment msghdr) {
        return (long) MSG_CONTROLLEN.get(msghdr, 0L);
    }

    public static int msgFlags(MemorySegment msghdr) {
        return (int) MSG_FLAGS.get(msghdr, 0L);
    }

    // ---- ancillary data: the CMSG_* macros of <sys/socket.h> --------------------------------------

    /** {@code CMSG_ALIGN(len)}: rounds up to {@code sizeof(size_t)}. */
    public static long cmsgAlign(long len) {
        long a = JAVA_LONG.byteSize();
        return (len + a - 1) & -a;
    }

    /** {@code CMSG_SPACE(len)}: bytes a control message with {@code len} bytes of data occupies. */
    public static long cmsgSpace(long len) {
        return cmsgAlign(len) + cmsgAlign(CMSGHDR.byteSize());
    }

    /** {@code CMSG_LEN(len)}: the value for {@code cmsg_len}; {@code cmsgLen(0)} is the data's offset. */
    public static long cmsgLen(long len) {
        return cmsgAlign(CMSGHDR.byteSize()) + len;
    }

    private static VarHandle field(StructLayout layout, String name) {
        return layout.varHandle(PathElement.groupElement(name));
    }
}
