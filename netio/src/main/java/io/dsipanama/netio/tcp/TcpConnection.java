package io.dsipanama.netio.tcp;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

import io.dsipanama.ffm.Errno;
import io.dsipanama.ffm.IoUring;
import io.dsipanama.ffm.Liburing;
import io.dsipanama.ffm.Socket;
import io.dsipanama.ffm.Unistd;
import io.dsipanama.netio.CompletionTarget;
import io.dsipanama.netio.NetCounter;
import io.dsipanama.netio.NetCounters;
import io.dsipanama.netio.RingOwner;
import io.dsipanama.netio.SendListener;
import io.dsipanama.netio.UdpSockets;

/**
 * A bulk, reliable TCP byte stream on a {@link RingOwner}'s ring: CONNECT (or a descriptor from
 * {@link TcpListener}), SEND / SEND_ZC from any native memory (no copy in Java), RECV into a buffer of our
 * own handed to a {@link ByteHandler}.
 *
 * <p><b>Send.</b> {@link #offer} queues a segment (no copy, no allocation; {@code false} = back-pressured).
 * One SEND is in flight at a time (a TCP stream is ordered), of at most {@code maxSendBytes}; a short send
 * continues where it stopped. Sends of at least {@code zcThresholdBytes} use {@code SEND_ZC} with
 * {@code IORING_SEND_ZC_REPORT_USAGE} when the kernel has it: the segment is released
 * ({@link SendListener#onReleased}) only after every notification (loopback always reports "copied").
 *
 * <p><b>Pacing</b>, two mechanisms that can be combined: {@link #pace(TokenBucket)}, an application token
 * bucket: a send is cut to the tokens available and, when they are missing, nothing is submitted and
 * {@link #nanosUntilSendable} tells the loop how long to sleep in {@code io_uring_enter} (a ring timeout);
 * and {@link #kernelPacing}, {@code SO_MAX_PACING_RATE}, which makes the kernel space out the segments itself
 * (TCP internal pacing, or the fq qdisc). The bucket bounds what enters the socket; the kernel smooths within.
 *
 * <p>Threading: the ring owner's thread only.
 */
public final class TcpConnection implements CompletionTarget {
    /** What arrives on a connection. */
    @FunctionalInterface
    public interface ByteHandler {
        /** {@code length} bytes at {@code offset} of {@code buffer}, valid only during the call. */
        void onBytes(MemorySegment buffer, long offset, int length);
    }

    private static final long CLOSE_WAIT_NS = TimeUnit.SECONDS.toNanos(2);
    private static final long KIND_SHIFT = 40;
    private static final long CONNECT = 1L << KIND_SHIFT;
    private static final long SEND = 2L << KIND_SHIFT;
    private static final long RECV = 3L << KIND_SHIFT;
    private static final int QUEUE = 64;
    private static final int MASK = QUEUE - 1;
    /** With a bucket, never send less than this (or the rest of the segment): fewer, larger sends. */
    private static final int MIN_PACED_SEND = 16 * 1024;

    private final RingOwner owner;
    private final IoUring ring;
    private final NetCounters counters;
    private final int targetId;
    private final Arena arena = Arena.ofShared();
    private final boolean zc;
    private final int zcThreshold;
    private final int maxSendBytes;
    private final SendListener listener;
    private int fd;
    private boolean connected;
    private int error;
    private boolean closed;

    private final MemorySegment[] qPayload = new MemorySegment[QUEUE];
    private final long[] qToken = new long[QUEUE];
    private final int[] qResult = new int[QUEUE];
    private final int[] qNotifs = new int[QUEUE];
    private long head;
    private long issue;
    private long tail;
    private long issueOffset;
    private boolean sendInFlight;
    private int inFlight;
    private TokenBucket bucket;

    private MemorySegment recvBuffer;
    private ByteHandler handler;
    private boolean recvPosted;
    private boolean eof;
    private boolean outputShut;
    private long bytesSent;
    private long bytesReceived;

    private TcpConnection(RingOwner owner, int fd, boolean connected, SendListener listener) {
        owner.checkThread();
        this.owner = owner;
        this.ring = owner.ring();
        this.counters = owner.counters();
        this.fd = fd;
        this.connected = connected;
        this.listener = listener;
        this.zc = owner.features().sendmsgZc(); // SEND_ZC (6.0) comes with SENDMSG_ZC (6.1)
        this.zcThreshold = owner.context().zcThresholdBytes();
        this.maxSendBytes = Math.max(64 * 1024, owner.context().socketBufferBytes() / 2);
        this.targetId = owner.register(this);
    }

    /** Starts connecting to {@code remote}; {@link #isConnected()} turns true when the CONNECT completes. */
    public static TcpConnection connect(RingOwner owner, InetSocketAddress remote, SendListener listener) {
        int fd = open(owner, UdpSockets.family(remote));
        TcpConnection c;
        try {
            c = new TcpConnection(owner, fd, false, listener);
        } catch (RuntimeException | Error e) {
            Unistd.close(fd);
            throw e;
        }
        MemorySegment sa = c.arena.allocate(Socket.SOCKADDR_STORAGE);
        int len = Socket.writeSockaddr(sa, remote);
        long sqe = owner.nextSqe();
        if (sqe < 0) {
            c.close();
            throw new IllegalStateException("no SQE for CONNECT");
        }
        c.ring.prepConnect(sqe, fd, sa, len, RingOwner.userData(c.targetId, CONNECT));
        c.inFlight++;
        return c;
    }

    /** Wraps a descriptor accepted by a {@link TcpListener} (taking ownership). */
    static TcpConnection accepted(RingOwner owner, int fd, SendListener listener) {
        try {
            configure(owner, fd);
            return new TcpConnection(owner, fd, true, listener);
        } catch (RuntimeException | Error e) {
            Unistd.close(fd);
            throw e;
        }
    }

    static int open(RingOwner owner, int family) {
        int fd = Socket.socket(family, Socket.SOCK_STREAM | Socket.SOCK_CLOEXEC, 0);
        try {
            configure(owner, fd);
            return fd;
        } catch (RuntimeException | Error e) {
            Unistd.close(fd);
            throw e;
        }
    }

    private static void configure(RingOwner owner, int fd) {
        UdpSockets.setBuffers(fd, owner.context().socketBufferBytes());
        Socket.setsockoptInt(fd, Socket.SOL_TCP, Socket.TCP_NODELAY, 1);
    }

    /** Application pacing (null: none). */
    public TcpConnection pace(TokenBucket tokenBucket) {
        this.bucket = tokenBucket;
        return this;
    }

    /** Kernel pacing: {@code SO_MAX_PACING_RATE} = {@code bytesPerSecond} (at most 4 GB/s here). */
    public TcpConnection kernelPacing(long bytesPerSecond) {
        Socket.setsockoptInt(fd, Socket.SOL_SOCKET, Socket.SO_MAX_PACING_RATE,
                (int) Math.min(0xFFFF_FFFFL, bytesPerSecond));
        return this;
    }

    /** Starts receiving into a buffer of {@code bufferBytes}, handing every completed RECV to {@code byteHandler}. */
    public TcpConnection receive(ByteHandler byteHandler, int bufferBytes) {
        if (recvBuffer == null) {
            recvBuffer = arena.allocate(bufferBytes, 4096);
        }
        this.handler = byteHandler;
        return this;
    }

    /** Queues {@code payload} (native, untouched until released with {@code token}); false when the queue is full. */
    public boolean offer(MemorySegment payload, long token) {
        if (!payload.isNative()) {
            throw new IllegalArgumentException("payload must be native: " + payload);
        }
        if (outputShut) {
            throw new IllegalStateException("output already shut down");
        }
        if (tail - head >= QUEUE) {
            counters.increment(NetCounter.TX_BACK_PRESSURED);
            return false;
        }
        int q = (int) (tail & MASK);
        qPayload[q] = payload;
        qToken[q] = token;
        qResult[q] = 0;
        qNotifs[q] = 0;
        tail++;
        return true;
    }

    @Override
    public int doWork(long nowNs) {
        int work = 0;
        if (!connected || closed) {
            return 0;
        }
        if (handler != null && !recvPosted && !eof && error == 0) {
            long sqe = owner.nextSqe();
            if (sqe >= 0) {
                ring.prepRecv(sqe, fd, recvBuffer, 0, RingOwner.userData(targetId, RECV));
                recvPosted = true;
                inFlight++;
                work++;
            }
        }
        if (!sendInFlight && issue < tail && error == 0) {
            work += submitSend(nowNs);
        }
        return work;
    }

    private int submitSend(long nowNs) {
        int q = (int) (issue & MASK);
        MemorySegment p = qPayload[q];
        long remaining = p.byteSize() - issueOffset;
        long chunk = Math.min(remaining, maxSendBytes);
        if (bucket != null) {
            long tokens = bucket.available(nowNs);
            if (tokens < Math.min(chunk, MIN_PACED_SEND)) {
                counters.increment(NetCounter.TCP_PACING_WAITS);
                return 0;
            }
            chunk = Math.min(chunk, tokens);
        }
        long sqe = owner.nextSqe();
        if (sqe < 0) {
            return 0;
        }
        if (bucket != null) {
            bucket.take(chunk);
        }
        MemorySegment slice = p.asSlice(issueOffset, chunk);
        long data = RingOwner.userData(targetId, SEND | q);
        if (zc && chunk >= zcThreshold) {
            ring.prepSendZc(sqe, fd, slice, Socket.MSG_NOSIGNAL, Liburing.IORING_SEND_ZC_REPORT_USAGE, data);
            counters.increment(NetCounter.TCP_ZC_SENDS);
        } else {
            ring.prepSend(sqe, fd, slice, Socket.MSG_NOSIGNAL, data);
        }
        counters.increment(NetCounter.TCP_SENDS);
        sendInFlight = true;
        inFlight++;
        return 1;
    }

    @Override
    public void onCompletion(long data, int res, int flags) {
        long kind = data & (0xFFL << KIND_SHIFT);
        if (kind == CONNECT) {
            inFlight--;
            if (res < 0) {
                fail(res);
            } else {
                connected = true;
            }
        } else if (kind == RECV) {
            inFlight--;
            recvPosted = false;
            if (res > 0) {
                bytesReceived += res;
                counters.add(NetCounter.TCP_BYTES_RECEIVED, res);
                handler.onBytes(recvBuffer, 0, res);
            } else if (res == 0) {
                eof = true;
            } else if (res != -Errno.ECANCELED) {
                fail(res);
            }
        } else {
            onSendCompletion((int) (data & MASK), res, flags);
        }
    }

    private void onSendCompletion(int q, int res, int flags) {
        if ((flags & Liburing.IORING_CQE_F_NOTIF) != 0) {
            counters.increment((res & Liburing.IORING_NOTIF_USAGE_ZC_COPIED) != 0
                    ? NetCounter.TX_ZC_COPIED : NetCounter.TX_ZC_ZEROCOPY);
            qNotifs[q]--;
            inFlight--;
            releaseDone();
            return;
        }
        if ((flags & Liburing.IORING_CQE_F_MORE) != 0) {
            qNotifs[q]++;
        } else {
            inFlight--;
        }
        sendInFlight = false;
        if (res < 0 && res != -Errno.ECANCELED) {
            fail(res);
        } else if (res < 0 || error != 0) {
            fail(error != 0 ? error : res);
        } else {
            bytesSent += res;
            counters.add(NetCounter.TCP_BYTES_SENT, res);
            issueOffset += res;
            if (issueOffset >= qPayload[q].byteSize()) {
                issue++;
                issueOffset = 0;
            }
        }
        releaseDone();
    }

    private void fail(int res) {
        if (error == 0) {
            error = res;
            counters.increment(NetCounter.TCP_ERRORS);
        }
        if (sendInFlight) {
            return; // the frame in flight is released with the error when its completion comes
        }
        // nothing more will go out: every queued segment is released with the error
        for (long i = issue; i < tail; i++) {
            qResult[(int) (i & MASK)] = error;
        }
        issue = tail;
        issueOffset = 0;
        releaseDone();
    }

    private void releaseDone() {
        while (head < issue) {
            int h = (int) (head & MASK);
            if (qNotifs[h] != 0) {
                return;
            }
            MemorySegment p = qPayload[h];
            qPayload[h] = null;
            head++;
            counters.increment(NetCounter.TX_FRAMES);
            listener.onReleased(qToken[h], qResult[h] < 0 ? qResult[h] : (int) Math.min(Integer.MAX_VALUE, p.byteSize()));
        }
    }

    /** Sleep this long before anything can be sent (the bucket is short); {@link Long#MAX_VALUE}: not pacing-bound. */
    public long nanosUntilSendable(long nowNs) {
        if (bucket == null || sendInFlight || issue >= tail || error != 0 || !connected) {
            return Long.MAX_VALUE;
        }
        long want = Math.min(MIN_PACED_SEND, qPayload[(int) (issue & MASK)].byteSize() - issueOffset);
        return bucket.nanosUntil(want, nowNs);
    }

    /** Half-closes (FIN) once every queued segment went out; returns whether it did. */
    public boolean shutdownOutputWhenSent() {
        if (!outputShut && connected && head == tail && !sendInFlight) {
            Socket.shutdown(fd, Socket.SHUT_WR);
            outputShut = true;
        }
        return outputShut;
    }

    public boolean isConnected() {
        return connected && error == 0;
    }

    /** The first error ({@code -errno}) of a connect, send or receive; 0 if none. */
    public int error() {
        return error;
    }

    /** True once the peer shut its output down and everything before was handed over. */
    public boolean isEndOfStream() {
        return eof;
    }

    /** Segments offered and not yet released. */
    public int pending() {
        return (int) (tail - head);
    }

    public long bytesSent() {
        return bytesSent;
    }

    public long bytesReceived() {
        return bytesReceived;
    }

    public int socket() {
        return fd;
    }

    public InetSocketAddress localAddress() {
        return Socket.localAddress(fd);
    }

    @Override
    public int inFlight() {
        return inFlight;
    }

    /** Cancels what is in flight, waits for it, closes the socket. Idempotent; ring thread. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        boolean drained = owner.retire(fd, this, targetId, CLOSE_WAIT_NS);
        Unistd.close(fd);
        fd = -1;
        if (drained) {
            arena.close();
        }
        // else: the kernel may still write the receive buffer; leaking it is the safe choice
    }
}
