package io.dsipanama.netio;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

import io.dsipanama.ffm.IoUring;
import io.dsipanama.ffm.Liburing;
import io.dsipanama.ffm.Socket;
import io.dsipanama.ffm.Unistd;

import static io.dsipanama.netio.SendSlotsDescriptor.CMSG_LEN_AT;
import static io.dsipanama.netio.SendSlotsDescriptor.CMSG_LEVEL_AT;
import static io.dsipanama.netio.SendSlotsDescriptor.CMSG_OFFSET;
import static io.dsipanama.netio.SendSlotsDescriptor.CMSG_SPACE;
import static io.dsipanama.netio.SendSlotsDescriptor.CMSG_TYPE_AT;
import static io.dsipanama.netio.SendSlotsDescriptor.HEADERS_OFFSET;
import static io.dsipanama.netio.SendSlotsDescriptor.IOVEC_SIZE;
import static io.dsipanama.netio.SendSlotsDescriptor.IOV_BASE;
import static io.dsipanama.netio.SendSlotsDescriptor.IOV_LEN;
import static io.dsipanama.netio.SendSlotsDescriptor.IOV_OFFSET;
import static io.dsipanama.netio.SendSlotsDescriptor.MSG_CONTROL;
import static io.dsipanama.netio.SendSlotsDescriptor.MSG_CONTROLLEN;
import static io.dsipanama.netio.SendSlotsDescriptor.MSG_FLAGS;
import static io.dsipanama.netio.SendSlotsDescriptor.MSG_IOV;
import static io.dsipanama.netio.SendSlotsDescriptor.MSG_IOVLEN;
import static io.dsipanama.netio.SendSlotsDescriptor.MSG_NAME;
import static io.dsipanama.netio.SendSlotsDescriptor.MSG_NAMELEN;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * Sends frames of any native {@link MemorySegment} (a stream's data area, later) to one destination as
 * netio datagrams, through the {@link RingOwner}'s ring: {@link #offer} queues a frame (no copy, no
 * allocation), {@link #doWork} turns queued frames into SENDMSG submissions (many per
 * {@code io_uring_submit}), each carrying up to 64 datagrams through UDP_SEGMENT when GSO is available.
 * Frames of at least {@code zcThresholdBytes} go out with SENDMSG_ZC and {@code IORING_SEND_ZC_REPORT_USAGE};
 * their memory is released only on the notification CQE, and the usage (copied or not) is counted.
 * {@link SendListener#onReleased} tells the caller, in offer order, when a frame's memory is free again.
 *
 * <p>Priorities: one socket per class 0..7, marked with SO_PRIORITY = class and the context's DSCP.
 *
 * <p>Threading: the ring owner's thread only.
 */
public final class UdpSender implements CompletionTarget {
    private static final long CLOSE_WAIT_NS = TimeUnit.SECONDS.toNanos(2);
    private static final int CLASSES = FrameHeaderDescriptor.PRIORITY_CLASSES;

    private final RingOwner owner;
    private final IoUring ring;
    private final NetCounters counters;
    private final int targetId;
    private final SendListener listener;
    private final int stride;
    private final int gsoSegments;
    private final int zcGsoSegments;
    private final int zcThreshold;
    private final boolean zc;
    private final int[] fds = new int[CLASSES];
    private final int[] soPriority = new int[CLASSES];
    private final Arena arena = Arena.ofShared();
    private final MemorySegment memory;
    private final MemorySegment[] msghdrs;
    private final long memoryAddress;
    private final int namelen;
    private final FrameHeader header = new FrameHeader();

    // the frame queue: [head, issue) fully submitted, [issue, tail) still to submit
    private final int queueMask;
    private final int[] qStream;
    private final long[] qSequence;
    private final long[] qVirtualTime;
    private final byte[] qPriority;
    private final byte[] qFlags;
    private final int[] qPeriodUs;
    private final int[] qDeadlineUs;
    private final MemorySegment[] qPayload;
    private final long[] qPayloadOffset;
    private final int[] qLength;
    private final int[] qNextOffset;
    private final boolean[] qStarted;
    private final int[] qOutstanding;
    private final int[] qResult;
    private final long[] qToken;
    private long head;
    private long issue;
    private long tail;

    // slots: one in-flight SENDMSG each
    private final int[] freeSlots;
    private int freeCount;
    private final long[] slotFrame;
    private final int[] slotSegments;
    private boolean closed;

    /** A sender to {@code destination} on {@code owner}'s ring, telling {@code listener} about released frames. */
    public UdpSender(RingOwner owner, InetSocketAddress destination, SendListener listener) {
        owner.checkThread();
        NetContext ctx = owner.context();
        this.owner = owner;
        this.ring = owner.ring();
        this.counters = owner.counters();
        this.listener = listener;
        this.stride = ctx.fragmentStride();
        this.gsoSegments = owner.features().gso()
                ? Math.min(SendSlotsDescriptor.MAX_SEGMENTS, SendSlotsDescriptor.MAX_GSO_BYTES / ctx.datagramBytes())
                : 1;
        // zero-copy pins each iovec's pages as skb fragments (at most MAX_SKB_FRAGS, 17): a header and a
        // payload spanning two pages per datagram allow 4 datagrams per SENDMSG_ZC, else EMSGSIZE
        this.zcGsoSegments = Math.min(gsoSegments, SendSlotsDescriptor.MAX_ZC_SEGMENTS);
        this.zc = owner.features().sendmsgZc();
        this.zcThreshold = ctx.zcThresholdBytes();
        int slots = ctx.sendSlots();
        int queue = Integer.highestOneBit(Math.max(1, ctx.sendQueueFrames() - 1)) << 1;
        this.queueMask = queue - 1;
        qStream = new int[queue];
        qSequence = new long[queue];
        qVirtualTime = new long[queue];
        qPriority = new byte[queue];
        qFlags = new byte[queue];
        qPeriodUs = new int[queue];
        qDeadlineUs = new int[queue];
        qPayload = new MemorySegment[queue];
        qPayloadOffset = new long[queue];
        qLength = new int[queue];
        qNextOffset = new int[queue];
        qStarted = new boolean[queue];
        qOutstanding = new int[queue];
        qResult = new int[queue];
        qToken = new long[queue];
        freeSlots = new int[slots];
        slotFrame = new long[slots];
        slotSegments = new int[slots];
        Arrays.fill(fds, -1);
        try {
            memory = arena.allocate(SendSlotsDescriptor.length(slots), 4096);
            memoryAddress = memory.address();
            namelen = Socket.writeSockaddr(memory, destination);
            msghdrs = new MemorySegment[slots];
            for (int s = 0; s < slots; s++) {
                long base = SendSlotsDescriptor.slotOffset(s);
                msghdrs[s] = memory.asSlice(base, CMSG_OFFSET);
                long cmsg = base + CMSG_OFFSET;
                memory.set(JAVA_LONG, cmsg + CMSG_LEN_AT, Socket.cmsgLen(Short.BYTES));
                memory.set(JAVA_INT, cmsg + CMSG_LEVEL_AT, Socket.SOL_UDP);
                memory.set(JAVA_INT, cmsg + CMSG_TYPE_AT, Socket.UDP_SEGMENT);
                memory.set(JAVA_SHORT, cmsg + Socket.cmsgLen(0), (short) ctx.datagramBytes());
                freeSlots[freeCount++] = s;
            }
            InetAddress any = destination.getAddress() instanceof Inet6Address
                    ? InetAddress.getByName("::") : InetAddress.getByName("0.0.0.0");
            int family = UdpSockets.family(destination);
            for (int p = 0; p < CLASSES; p++) {
                fds[p] = UdpSockets.openBound(new InetSocketAddress(any, 0), ctx.socketBufferBytes());
                soPriority[p] = UdpSockets.mark(fds[p], family, p, ctx.dscp(p));
            }
        } catch (UnknownHostException e) {
            closeResources();
            throw new AssertionError(e);
        } catch (RuntimeException | Error e) {
            closeResources();
            throw e;
        }
        this.targetId = owner.register(this);
    }

    /**
     * Queues {@code payload} (native, kept untouched until {@link SendListener#onReleased} with
     * {@code token}) as one frame with {@code frame}'s header values. Returns false, counting
     * {@code tx_back_pressured}, when the queue is full: call {@link RingOwner#doWork} and offer again.
     */
    public boolean offer(OutgoingFrame frame, MemorySegment payload, long token) {
        return offer(frame, payload, 0, payload.byteSize(), token);
    }

    /**
     * {@link #offer(OutgoingFrame, MemorySegment, long)} of {@code [offset, offset + length)} of {@code buffer}
     * without a slice: a caller that sends from a larger area (a stream's data area) allocates nothing per frame.
     * The queue keeps {@code buffer} (so it stays reachable) and the offset.
     */
    public boolean offer(OutgoingFrame frame, MemorySegment buffer, long offset, long length, long token) {
        if (!buffer.isNative() || length > FrameHeaderDescriptor.MAX_FRAME_LENGTH) {
            throw new IllegalArgumentException("payload must be native and at most 16 MiB: " + buffer + " length " + length);
        }
        Objects.checkFromIndexSize(offset, length, buffer.byteSize());
        if (tail - head > queueMask) {
            counters.increment(NetCounter.TX_BACK_PRESSURED);
            return false;
        }
        int q = (int) (tail & queueMask);
        qStream[q] = frame.streamId();
        qSequence[q] = frame.sequence();
        qVirtualTime[q] = frame.virtualTime();
        qPriority[q] = (byte) frame.priority();
        qFlags[q] = (byte) frame.flags();
        qPeriodUs[q] = frame.periodUs();
        qDeadlineUs[q] = frame.deadlineUs();
        qPayload[q] = buffer;
        qPayloadOffset[q] = offset;
        qLength[q] = (int) length;
        qNextOffset[q] = 0;
        qStarted[q] = false;
        qOutstanding[q] = 0;
        qResult[q] = qLength[q];
        qToken[q] = token;
        tail++;
        return true;
    }

    /** Fills SQEs for queued frames while slots and SQ room last; returns the submissions prepared. */
    @Override
    public int doWork(long nowNs) {
        int prepared = 0;
        while (issue < tail && freeCount > 0) {
            long sqe = owner.nextSqe();
            if (sqe < 0) {
                break;
            }
            prepare(sqe, issue);
            prepared++;
            int q = (int) (issue & queueMask);
            if (qNextOffset[q] >= qLength[q]) {
                issue++;
            }
        }
        return prepared;
    }

    private void prepare(long sqe, long frame) {
        int q = (int) (frame & queueMask);
        int slot = freeSlots[--freeCount];
        long base = SendSlotsDescriptor.slotOffset(slot);
        long payloadAddress = qPayload[q].address() + qPayloadOffset[q];
        int length = qLength[q];
        boolean zeroCopy = zc && length >= zcThreshold;
        int maxSegments = zeroCopy ? zcGsoSegments : gsoSegments;
        int segments = 0;
        boolean more;
        do {
            int offset = qNextOffset[q];
            int len = Math.min(stride, length - offset);
            long hdr = base + HEADERS_OFFSET + (long) segments * FrameHeaderDescriptor.LENGTH;
            header.wrap(memory, hdr).writePreamble().flags(qFlags[q]).priority(qPriority[q]).streamId(qStream[q])
                    .fragmentStride(stride).sequence(qSequence[q]).virtualTime(qVirtualTime[q]).frameLength(length)
                    .fragmentOffset(offset).periodUs(qPeriodUs[q]).deadlineUs(qDeadlineUs[q]);
            long iov = base + IOV_OFFSET + 2L * segments * IOVEC_SIZE;
            memory.set(JAVA_LONG, iov + IOV_BASE, memoryAddress + hdr);
            memory.set(JAVA_LONG, iov + IOV_LEN, FrameHeaderDescriptor.LENGTH);
            memory.set(JAVA_LONG, iov + IOVEC_SIZE + IOV_BASE, payloadAddress + offset);
            memory.set(JAVA_LONG, iov + IOVEC_SIZE + IOV_LEN, len);
            qNextOffset[q] = offset + len;
            segments++;
            // GSO cuts at datagramBytes: only the batch's last datagram may be short
            more = len == stride && qNextOffset[q] < length && segments < maxSegments;
        } while (more);
        qStarted[q] = true;
        qOutstanding[q]++;
        slotFrame[slot] = frame;
        slotSegments[slot] = segments;

        long msg = base;
        memory.set(JAVA_LONG, msg + MSG_NAME, memoryAddress);
        memory.set(JAVA_INT, msg + MSG_NAMELEN, namelen);
        memory.set(JAVA_LONG, msg + MSG_IOV, memoryAddress + base + IOV_OFFSET);
        memory.set(JAVA_LONG, msg + MSG_IOVLEN, 2L * segments);
        memory.set(JAVA_LONG, msg + MSG_CONTROL, segments > 1 ? memoryAddress + base + CMSG_OFFSET : 0L);
        memory.set(JAVA_LONG, msg + MSG_CONTROLLEN, segments > 1 ? CMSG_SPACE : 0L);
        memory.set(JAVA_INT, msg + MSG_FLAGS, 0);

        int fd = fds[qPriority[q]];
        long userData = RingOwner.userData(targetId, slot);
        if (zeroCopy) {
            ring.prepSendmsgZc(sqe, fd, msghdrs[slot], 0, userData);
            ring.sqeOrIoprio(sqe, Liburing.IORING_SEND_ZC_REPORT_USAGE);
            counters.increment(NetCounter.TX_ZC_SENDMSGS);
        } else {
            ring.prepSendmsg(sqe, fd, msghdrs[slot], 0, userData);
        }
        counters.increment(NetCounter.TX_SENDMSGS);
        counters.add(NetCounter.TX_DATAGRAMS_QUEUED, segments);
        if (segments > 1) {
            counters.increment(NetCounter.TX_GSO_SENDMSGS);
        }
    }

    @Override
    public void onCompletion(long data, int res, int flags) {
        int slot = (int) data;
        if ((flags & Liburing.IORING_CQE_F_NOTIF) != 0) {
            counters.increment((res & Liburing.IORING_NOTIF_USAGE_ZC_COPIED) != 0
                    ? NetCounter.TX_ZC_COPIED : NetCounter.TX_ZC_ZEROCOPY);
            release(slot);
            return;
        }
        if (res < 0) {
            counters.increment(NetCounter.TX_ERRORS);
            int q = (int) (slotFrame[slot] & queueMask);
            if (qResult[q] >= 0) {
                qResult[q] = res;
            }
        } else {
            counters.add(NetCounter.TX_DATAGRAMS, slotSegments[slot]);
            counters.add(NetCounter.TX_BYTES, res);
        }
        if ((flags & Liburing.IORING_CQE_F_MORE) == 0) {
            release(slot);
        }
        // else: a zero-copy send; the memory stays pinned until its notification
    }

    private void release(int slot) {
        int q = (int) (slotFrame[slot] & queueMask);
        qOutstanding[q]--;
        freeSlots[freeCount++] = slot;
        while (head < issue) {
            int h = (int) (head & queueMask);
            if (qOutstanding[h] != 0) {
                break;
            }
            qPayload[h] = null;
            head++;
            counters.increment(NetCounter.TX_FRAMES);
            listener.onReleased(qToken[h], qResult[h]);
        }
    }

    /** Frames offered and not yet released. */
    public int pendingFrames() {
        return (int) (tail - head);
    }

    @Override
    public int inFlight() {
        return freeSlots.length - freeCount;
    }

    /** The local address of the socket of priority class {@code priority}. */
    public InetSocketAddress localAddress(int priority) {
        return Socket.localAddress(fds[priority]);
    }

    /** The socket of a priority class (for inspection: its SO_PRIORITY and IP_TOS). */
    public int socket(int priority) {
        return fds[priority];
    }

    /** The SO_PRIORITY granted to class {@code priority} (lower than asked only without CAP_NET_ADMIN). */
    public int grantedSoPriority(int priority) {
        return soPriority[priority];
    }

    /** Cancels what is in flight, waits for its completions, closes the sockets. Idempotent; ring thread. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (!owner.isClosed()) {
            owner.checkThread();
            for (int fd : fds) {
                owner.quiesce(fd, this, CLOSE_WAIT_NS);
            }
            owner.unregister(targetId);
        }
        closeResources();
    }

    private void closeResources() {
        for (int p = 0; p < CLASSES; p++) {
            if (fds[p] >= 0) {
                Unistd.close(fds[p]);
                fds[p] = -1;
            }
        }
        if (inFlight() == 0 && arena.scope().isAlive()) {
            arena.close();
        }
        // else: the kernel may still read the slots; leaking them is the safe choice
    }
}
