package io.dsipanama.netio;

import java.net.Inet6Address;
import java.net.InetSocketAddress;

import io.dsipanama.ffm.Errno;
import io.dsipanama.ffm.ErrnoException;
import io.dsipanama.ffm.Socket;
import io.dsipanama.ffm.Unistd;

/**
 * Opening and marking the UDP sockets netio uses. Sockets are blocking on purpose: io_uring waits for
 * readiness itself, while an {@code O_NONBLOCK} socket would make it return {@code -EAGAIN} to us.
 */
public final class UdpSockets {
    private UdpSockets() {
    }

    /** A UDP socket of {@code address}'s family bound to it (port 0: an ephemeral port). */
    public static int openBound(InetSocketAddress address, int bufferBytes) {
        int fd = open(address, bufferBytes);
        try {
            Socket.bind(fd, address);
            return fd;
        } catch (RuntimeException e) {
            Unistd.close(fd);
            throw e;
        }
    }

    /** An unbound UDP socket of {@code address}'s family with send and receive buffers of {@code bufferBytes}. */
    public static int open(InetSocketAddress address, int bufferBytes) {
        int fd = Socket.socket(family(address), Socket.SOCK_DGRAM | Socket.SOCK_CLOEXEC, 0);
        try {
            setBuffers(fd, bufferBytes);
            return fd;
        } catch (RuntimeException e) {
            Unistd.close(fd);
            throw e;
        }
    }

    public static int family(InetSocketAddress address) {
        return address.getAddress() instanceof Inet6Address ? Socket.AF_INET6 : Socket.AF_INET;
    }

    /**
     * SO_RCVBUF and SO_SNDBUF: the FORCE variants first (CAP_NET_ADMIN, beyond net.core.rmem_max), else the
     * plain ones, which the kernel caps silently; {@link #receiveBuffer} tells what was granted.
     */
    public static void setBuffers(int fd, int bytes) {
        if (!trySet(fd, Socket.SOL_SOCKET, Socket.SO_RCVBUFFORCE, bytes)) {
            Socket.setsockoptInt(fd, Socket.SOL_SOCKET, Socket.SO_RCVBUF, bytes);
        }
        if (!trySet(fd, Socket.SOL_SOCKET, Socket.SO_SNDBUFFORCE, bytes)) {
            Socket.setsockoptInt(fd, Socket.SOL_SOCKET, Socket.SO_SNDBUF, bytes);
        }
    }

    /** The receive buffer the kernel granted (it reports double the asked size: bookkeeping included). */
    public static int receiveBuffer(int fd) {
        return Socket.getsockoptInt(fd, Socket.SOL_SOCKET, Socket.SO_RCVBUF);
    }

    /**
     * Marks everything sent on {@code fd} with queueing priority {@code soPriority} (SO_PRIORITY: the qdisc
     * band; 0..6 unprivileged) and DSCP {@code dscp} (IP_TOS, or IPV6_TCLASS on an IPv6 socket).
     * Returns the SO_PRIORITY granted: without CAP_NET_ADMIN a value above 6 is lowered to 6.
     */
    public static int mark(int fd, int family, int soPriority, int dscp) {
        // TOS first: setting IP_TOS also rewrites sk_priority (rt_tos2priority), so SO_PRIORITY must come after
        if (family == Socket.AF_INET6) {
            Socket.setsockoptInt(fd, Socket.IPPROTO_IPV6, Socket.IPV6_TCLASS, dscp << 2);
        } else {
            Socket.setsockoptInt(fd, Socket.IPPROTO_IP, Socket.IP_TOS, dscp << 2);
        }
        int granted = soPriority;
        if (!trySet(fd, Socket.SOL_SOCKET, Socket.SO_PRIORITY, soPriority)) {
            granted = Math.min(soPriority, 6);
            Socket.setsockoptInt(fd, Socket.SOL_SOCKET, Socket.SO_PRIORITY, granted);
        }
        return granted;
    }

    private static boolean trySet(int fd, int level, int option, int value) {
        try {
            Socket.setsockoptInt(fd, level, option, value);
            return true;
        } catch (ErrnoException e) {
            if (e.errno() == Errno.EPERM) {
                return false;
            }
            throw e;
        }
    }
}
