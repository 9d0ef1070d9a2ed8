package io.dsipanama.netio;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;

import io.dsipanama.ffm.Errno;
import io.dsipanama.ffm.IoUring;
import io.dsipanama.ffm.IoUringBufRing;
import io.dsipanama.ffm.Liburing;
import io.dsipanama.ffm.Socket;

import static io.dsipanama.ffm.Liburing.IO_URING_RECVMSG_OUT;

/**
 * Throughput receive: one multishot RECVMSG over a provided-buffer ring; every datagram lands in a buffer
 * the kernel picks, as {@code io_uring_recvmsg_out | name (28 B room) | datagram}. A buffer goes back to
 * the ring the moment the receiver releases it. When every buffer is held the kernel ends the multishot
 * request with {@code -ENOBUFS} (datagrams wait in the socket meanwhile); it is re-armed as soon as a
 * buffer is free.
 */
final class MultishotSource implements DatagramSource {
    static final int NAME_ROOM = (int) Socket.SOCKADDR_IN6.byteSize();
    private static final long OUT_LENGTH = IO_URING_RECVMSG_OUT.byteSize();
    private static final VarHandle OUT_PAYLOADLEN = out("payloadlen");
    private static final VarHandle OUT_FLAGS = out("flags");

    private final RingOwner owner;
    private final IoUring ring;
    private final NetCounters counters;
    private final int fd;
    private final long userData;
    private final IoUringBufRing bufRing;
    private final MemorySegment buffers;
    private final int bufferSize;
    private final long datagramAt;
    private final int capacity;
    private final int[] length;
    private final boolean[] held;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment msghdr;
    private final Sink sink;
    private int heldCount;
    private boolean armed;

    MultishotSource(RingOwner owner, int fd, int targetId, int maxDatagramBytes, Sink sink) {
        NetContext ctx = owner.context();
        this.owner = owner;
        this.ring = owner.ring();
        this.counters = owner.counters();
        this.fd = fd;
        this.sink = sink;
        this.userData = RingOwner.userData(targetId, 0);
        this.datagramAt = OUT_LENGTH + NAME_ROOM;
        this.capacity = maxDatagramBytes;
        this.bufferSize = (int) ((datagramAt + maxDatagramBytes + 63) & -64L);
        int entries = ctx.rxBuffers();
        this.length = new int[entries];
        this.held = new boolean[entries];
        this.msghdr = arena.allocate(Socket.MSGHDR);
        // multishot: only the room for name and control matters; the kernel writes them into each buffer
        Socket.msghdr(msghdr, MemorySegment.NULL, NAME_ROOM, MemorySegment.NULL, 0, MemorySegment.NULL, 0);
        try {
            this.bufRing = new IoUringBufRing(ring, owner.nextBufferGroup(), entries, bufferSize);
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
        this.buffers = bufRing.buffers();
    }

    @Override
    public int arm() {
        if (armed || heldCount == length.length) {
            return 0;
        }
        long sqe = owner.nextSqe();
        if (sqe < 0) {
            return 0;
        }
        ring.prepRecvmsgMultishot(sqe, fd, msghdr, 0, bufRing.bgid(), userData);
        armed = true;
        counters.increment(NetCounter.RX_REARMS);
        return 1;
    }

    @Override
    public void onCompletion(long data, int res, int flags) {
        if ((flags & Liburing.IORING_CQE_F_MORE) == 0) {
            armed = false;
        }
        if (res < 0) {
            if (res == -Errno.ENOBUFS) {
                counters.increment(NetCounter.RX_ENOBUFS);
            } else if (res != -Errno.ECANCELED) {
                counters.increment(NetCounter.RX_ERRORS);
            }
            return;
        }
        if ((flags & Liburing.IORING_CQE_F_BUFFER) == 0) {
            counters.increment(NetCounter.RX_ERRORS);
            return;
        }
        int bid = flags >>> Liburing.IORING_CQE_BUFFER_SHIFT;
        if (bid >= length.length || held[bid]) {
            throw new IllegalStateException("kernel returned buffer " + bid + " which is not in the ring");
        }
        held[bid] = true;
        heldCount++;
        long base = (long) bid * bufferSize;
        int payloadLen = (int) OUT_PAYLOADLEN.get(buffers, base);
        int outFlags = (int) OUT_FLAGS.get(buffers, base);
        boolean truncated = (outFlags & Socket.MSG_TRUNC) != 0 || payloadLen < 0 || payloadLen > capacity
                || res < datagramAt + payloadLen;
        length[bid] = truncated ? -1 : payloadLen;
        sink.onDatagram(bid);
    }

    @Override
    public int datagramLength(int slot) {
        return length[slot];
    }

    @Override
    public MemorySegment headerSegment() {
        return buffers;
    }

    @Override
    public long headerOffset(int slot) {
        return (long) slot * bufferSize + datagramAt;
    }

    @Override
    public MemorySegment payloadSegment() {
        return buffers;
    }

    @Override
    public long payloadOffset(int slot) {
        return headerOffset(slot) + FrameHeaderDescriptor.LENGTH;
    }

    @Override
    public MemorySegment nameSegment() {
        return buffers;
    }

    @Override
    public long nameOffset(int slot) {
        return (long) slot * bufferSize + OUT_LENGTH;
    }

    @Override
    public void release(int slot) {
        if (!held[slot]) {
            throw new IllegalStateException("buffer " + slot + " released twice");
        }
        held[slot] = false;
        heldCount--;
        bufRing.recycle(slot);
    }

    @Override
    public int slots() {
        return length.length;
    }

    @Override
    public int freeSlots() {
        return length.length - heldCount;
    }

    @Override
    public int inFlight() {
        return armed ? 1 : 0;
    }

    @Override
    public void close() {
        try {
            bufRing.close();
        } finally {
            arena.close();
        }
    }

    private static VarHandle out(String field) {
        return IO_URING_RECVMSG_OUT.varHandle(MemoryLayout.PathElement.groupElement(field));
    }
}
