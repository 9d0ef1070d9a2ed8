package io.dsipanama.netio.tcp;

import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

import io.dsipanama.ffm.Errno;
import io.dsipanama.ffm.Socket;
import io.dsipanama.ffm.Unistd;
import io.dsipanama.netio.CompletionTarget;
import io.dsipanama.netio.NetCounter;
import io.dsipanama.netio.RingOwner;
import io.dsipanama.netio.SendListener;
import io.dsipanama.netio.UdpSockets;

/**
 * A listening TCP socket on a {@link RingOwner}'s ring: one {@code IORING_OP_ACCEPT} at a time (accepted
 * descriptors get {@code SOCK_CLOEXEC}); {@link #accept} wraps the next accepted one as a
 * {@link TcpConnection}. Up to 16 accepted descriptors wait for {@link #accept}; the kernel's backlog holds
 * the rest.
 *
 * <p>Threading: the ring owner's thread only.
 */
public final class TcpListener implements CompletionTarget {
    private static final long CLOSE_WAIT_NS = TimeUnit.SECONDS.toNanos(2);
    private static final int READY = 16;

    private final RingOwner owner;
    private final int fd;
    private final int targetId;
    private final int[] ready = new int[READY];
    private int readyCount;
    private boolean posted;
    private int error;
    private boolean closed;

    /** Listens on {@code bindAddress} (port 0: ephemeral) with a backlog of {@code backlog}. */
    public TcpListener(RingOwner owner, InetSocketAddress bindAddress, int backlog) {
        owner.checkThread();
        this.owner = owner;
        int s = TcpConnection.open(owner, UdpSockets.family(bindAddress));
        try {
            Socket.setsockoptInt(s, Socket.SOL_SOCKET, Socket.SO_REUSEADDR, 1);
            Socket.bind(s, bindAddress);
            Socket.listen(s, backlog);
        } catch (RuntimeException | Error e) {
            Unistd.close(s);
            throw e;
        }
        this.fd = s;
        this.targetId = owner.register(this);
    }

    @Override
    public int doWork(long nowNs) {
        if (posted || closed || readyCount == READY || error != 0) {
            return 0;
        }
        long sqe = owner.nextSqe();
        if (sqe < 0) {
            return 0;
        }
        owner.ring().prepAccept(sqe, fd, Socket.SOCK_CLOEXEC, RingOwner.userData(targetId, 0));
        posted = true;
        return 1;
    }

    @Override
    public void onCompletion(long data, int res, int flags) {
        posted = false;
        if (res >= 0) {
            ready[readyCount++] = res;
        } else if (res != -Errno.ECANCELED && res != -Errno.EINTR) {
            owner.counters().increment(NetCounter.TCP_ERRORS);
            error = res;
        }
    }

    /** The next accepted connection (sending releases go to {@code listener}), or null if none yet. */
    public TcpConnection accept(SendListener listener) {
        if (readyCount == 0) {
            return null;
        }
        int s = ready[0];
        System.arraycopy(ready, 1, ready, 0, --readyCount);
        return TcpConnection.accepted(owner, s, listener);
    }

    /** The first accept error ({@code -errno}), 0 if none (the listener stops accepting after one). */
    public int error() {
        return error;
    }

    public InetSocketAddress localAddress() {
        return Socket.localAddress(fd);
    }

    @Override
    public int inFlight() {
        return posted ? 1 : 0;
    }

    /** Cancels the accept, closes the listening socket and any accepted descriptor not taken. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        owner.retire(fd, this, targetId, CLOSE_WAIT_NS);
        Unistd.close(fd);
        while (readyCount > 0) {
            Unistd.close(ready[--readyCount]);
        }
    }
}
