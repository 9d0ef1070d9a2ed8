package io.dsipanama.netio;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

import io.dsipanama.ffm.Mman;
import io.dsipanama.ffm.Socket;
import io.dsipanama.ffm.Unistd;

/**
 * Receives netio datagrams on one UDP socket through the {@link RingOwner}'s ring and hands whole frames to
 * the {@link FrameHandler} of their priority class.
 *
 * <p>Two receive paths ({@link Mode}): {@code THROUGHPUT}, a multishot RECVMSG over a provided buffer ring
 * ({@link MultishotSource}); {@code LANDING}, single-shot RECVMSGs whose payload iovec points into a
 * page-aligned slot of the caller's region ({@link PostedSource}), so a single-datagram frame is handed over
 * where the kernel wrote it. Where multishot or buffer rings are missing, THROUGHPUT falls back to the
 * posted path over its own memory (reported in {@link NetFeatures#fallbacks()}).
 *
 * <p>Per cycle: each reaped datagram is checked cheaply (length, magic, version, header fields, source
 * allow-list) and queued by priority; {@link #doWork} then dispatches up to {@code dispatchBudget}
 * datagrams, highest priority first. When free buffers run short and a higher class has been active in the
 * last {@link #SHED_WINDOW_NS}, queued datagrams of lower classes are shed, lowest first, so the higher
 * classes keep flowing under a flood. Single-datagram frames go to their handler straight from the receive
 * buffer; fragments go through the {@link Reassembler} (memory: the caller's region or our own mapping of
 * {@code reassemblyBytes}). Every drop is counted by reason in {@link RingOwner#counters()}.
 *
 * <p>Threading: the ring owner's thread only.
 */
public final class UdpReceiver implements CompletionTarget {
    /** How long a class counts as active after its last datagram, for shedding. */
    public static final long SHED_WINDOW_NS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final long CLOSE_WAIT_NS = TimeUnit.SECONDS.toNanos(2);
    private static final int CLASSES = FrameHeaderDescriptor.PRIORITY_CLASSES;

    /** The receive path. */
    public enum Mode { THROUGHPUT, LANDING }

    private final RingOwner owner;
    private final NetCounters counters;
    private final int fd;
    private final int targetId;
    private final DatagramSource source;
    private final Reassembler reassembler;
    private final PriorityQueues queues;
    private final AllowList allowList = new AllowList();
    private final FrameHandler[] handlers = new FrameHandler[CLASSES];
    private final long[] lastSeenNs = new long[CLASSES];
    private final long[] arrival;
    private final FrameHeader header = new FrameHeader();
    private final Arena arena = Arena.ofShared();
    private final int maxFrame = FrameHeaderDescriptor.MAX_FRAME_LENGTH;
    private final int shedReserve;
    private LossListener lossListener = (s, q, n, r) -> { };
    private long nowNs;
    private long arrivals;
    private long currentArrival;
    private boolean closed;

    /** A THROUGHPUT receiver bound to {@code bindAddress}. */
    public static UdpReceiver throughput(RingOwner owner, InetSocketAddress bindAddress) {
        return new UdpReceiver(owner, bindAddress, Mode.THROUGHPUT, null, null);
    }

    /** A LANDING receiver whose payloads land in {@code landingRegion} (native, page-aligned). */
    public static UdpReceiver landing(RingOwner owner, InetSocketAddress bindAddress, MemorySegment landingRegion) {
        return new UdpReceiver(owner, bindAddress, Mode.LANDING, landingRegion, null);
    }

    /**
     * A LANDING receiver whose payloads land where {@code zone} says, one region per posted receive (e.g. a
     * claim in a stream's data area); only {@code zone.slots()} receives are posted at a time.
     */
    public static UdpReceiver landing(RingOwner owner, InetSocketAddress bindAddress, LandingZone zone) {
        return new UdpReceiver(owner, bindAddress, Mode.LANDING, null, zone, null);
    }

    /**
     * @param landingRegion    LANDING: where payloads land (null: own memory)
     * @param reassemblyRegion where fragmented frames are reassembled (null: own mapping of reassemblyBytes)
     */
    public UdpReceiver(RingOwner owner, InetSocketAddress bindAddress, Mode mode, MemorySegment landingRegion,
                       MemorySegment reassemblyRegion) {
        this(owner, bindAddress, mode, landingRegion, null, reassemblyRegion);
    }

    private UdpReceiver(RingOwner owner, InetSocketAddress bindAddress, Mode mode, MemorySegment landingRegion,
                        LandingZone zone, MemorySegment reassemblyRegion) {
        owner.checkThread();
        NetContext ctx = owner.context();
        this.owner = owner;
        this.counters = owner.counters();
        int maxDatagram = ctx.datagramBytes();
        this.fd = UdpSockets.openBound(bindAddress, ctx.socketBufferBytes());
        this.targetId = owner.register(this);
        DatagramSource src = null;
        try {
            DatagramSource.Sink sink = this::onDatagram;
            src = mode == Mode.THROUGHPUT && owner.features().multishot()
                    ? new MultishotSource(owner, fd, targetId, maxDatagram, sink)
                    : new PostedSource(owner, fd, targetId, maxDatagram, landingRegion, zone, sink);
            MemorySegment region = reassemblyRegion != null ? reassemblyRegion
                    : Mman.map(arena, Math.max(4096, ctx.reassemblyBytes()), Mman.PROT_READ | Mman.PROT_WRITE,
                    Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS, -1, 0);
            FrameMemory memory = new FrameMemory(region, ctx.maxPartialFrames());
            this.reassembler = new Reassembler(ctx, counters, memory, maxDatagram, this::deliver, this::lost);
        } catch (RuntimeException | Error e) {
            owner.unregister(targetId);
            if (src != null) {
                src.close();
            }
            arena.close();
            Unistd.close(fd);
            throw e;
        }
        this.source = src;
        this.arrival = new long[src.slots()];
        this.queues = new PriorityQueues(CLASSES, src.slots());
        this.shedReserve = src.slots() < 8 ? 0 : Math.max(2, src.slots() / 8); // too few slots to shed from
    }

    /** Frames of priority class {@code priority} go to {@code handler}. */
    public UdpReceiver handler(int priority, FrameHandler handler) {
        handlers[priority] = handler;
        return this;
    }

    /** Every class without a handler of its own goes to {@code handler}. */
    public UdpReceiver handlerForAll(FrameHandler handler) {
        for (int p = 0; p < CLASSES; p++) {
            if (handlers[p] == null) {
                handlers[p] = handler;
            }
        }
        return this;
    }

    public UdpReceiver lossListener(LossListener listener) {
        this.lossListener = listener;
        return this;
    }

    /** Accepts datagrams from {@code source} (port 0: any port); once one is added, only from the list. */
    public UdpReceiver allow(InetSocketAddress source) {
        allowList.add(source);
        return this;
    }

    public InetSocketAddress localAddress() {
        return Socket.localAddress(fd);
    }

    /** The socket, for inspection (e.g. its granted SO_RCVBUF). */
    public int socket() {
        return fd;
    }

    /** The order in which the datagram now being handled was reaped (0, 1, ...); valid inside a handler. */
    public long currentArrival() {
        return currentArrival;
    }

    /** Incomplete frames held, and the reassembly memory they use. */
    public int partialFrames() {
        return reassembler.active();
    }

    public long reassemblyBytesUsed() {
        return reassembler.memoryUsed();
    }

    /** Datagrams queued for dispatch. */
    public int queued() {
        return queues.size();
    }

    public boolean isLanding() {
        return source instanceof PostedSource;
    }

    // ---- reaping --------------------------------------------------------------------------------

    @Override
    public void onCompletion(long data, int res, int flags) {
        source.onCompletion(data, res, flags);
    }

    private void onDatagram(int slot) {
        arrival[slot] = arrivals++;
        int len = source.datagramLength(slot);
        counters.increment(NetCounter.RX_DATAGRAMS);
        NetCounter drop = null;
        if (len < 0) {
            drop = NetCounter.DROP_OVERSIZE;
        } else {
            counters.add(NetCounter.RX_BYTES, len);
            if (len < FrameHeaderDescriptor.LENGTH) {
                drop = NetCounter.DROP_TRUNCATED;
            } else if (!allowList.allows(source.nameSegment(), source.nameOffset(slot))) {
                drop = NetCounter.DROP_SOURCE_NOT_ALLOWED;
            } else {
                header.wrap(source.headerSegment(), source.headerOffset(slot));
                if (header.magic() != FrameHeaderDescriptor.MAGIC) {
                    drop = NetCounter.DROP_BAD_MAGIC;
                } else if (header.version() != FrameHeaderDescriptor.VERSION) {
                    drop = NetCounter.DROP_BAD_VERSION;
                } else if (header.headerLength() != FrameHeaderDescriptor.LENGTH || header.priority() >= CLASSES
                        || (header.flags() & ~FrameHeaderDescriptor.APPLICATION_FLAGS_MASK) != 0) {
                    drop = NetCounter.DROP_BAD_FIELD;
                }
            }
        }
        if (drop != null) {
            counters.increment(drop);
            source.release(slot);
            return;
        }
        int prio = header.priority();
        lastSeenNs[prio] = nowNs;
        queues.offer(prio, slot);
        shed();
    }

    /** Sheds queued datagrams of classes below the highest recently active one while buffers are short. */
    private void shed() {
        while (source.freeSlots() < shedReserve) {
            int top = -1;
            for (int p = CLASSES - 1; p > 0; p--) {
                if (nowNs - lastSeenNs[p] <= SHED_WINDOW_NS && lastSeenNs[p] != 0) {
                    top = p;
                    break;
                }
            }
            int slot = top > 0 ? queues.pollLowestBelow(top) : -1;
            if (slot < 0) {
                return;
            }
            counters.increment(NetCounter.DROP_OVERLOAD);
            source.release(slot);
        }
    }

    // ---- dispatch --------------------------------------------------------------------------------

    @Override
    public int doWork(long nowNs) {
        this.nowNs = nowNs;
        int work = 0;
        int budget = owner.context().dispatchBudget();
        int slot;
        while (work < budget && (slot = queues.pollHighest()) >= 0) {
            try {
                dispatch(slot, nowNs);
            } finally {
                source.release(slot);
            }
            work++;
        }
        work += reassembler.expire(nowNs);
        work += source.arm();
        return work;
    }

    private void dispatch(int slot, long now) {
        currentArrival = arrival[slot];
        header.wrap(source.headerSegment(), source.headerOffset(slot));
        int len = source.datagramLength(slot) - FrameHeaderDescriptor.LENGTH;
        int frameLength = header.frameLength();
        long offset = Integer.toUnsignedLong(header.fragmentOffset());
        if (frameLength < 0 || frameLength > maxFrame) {
            counters.increment(NetCounter.DROP_BAD_LENGTH);
            return;
        }
        if (offset + len > frameLength) {
            counters.increment(NetCounter.DROP_BAD_OFFSET);
            return;
        }
        if (offset == 0 && len == frameLength) {
            if (reassembler.isStale(header.streamId(), header.sequence())) {
                counters.increment(NetCounter.DROP_STALE);
                return;
            }
            reassembler.resolved(header.streamId(), header.sequence());
            deliver(header, source.payloadSegment(), source.payloadOffset(slot), len);
            return;
        }
        reassembler.accept(header, source.payloadSegment(), source.payloadOffset(slot), len, now);
    }

    private void deliver(FrameHeader h, MemorySegment buffer, long offset, int length) {
        FrameHandler handler = handlers[h.priority()];
        if (handler == null) {
            counters.increment(NetCounter.DROP_NO_HANDLER);
            return;
        }
        counters.increment(NetCounter.RX_FRAMES);
        counters.add(NetCounter.RX_FRAME_BYTES, length);
        handler.onFrame(h, buffer, offset, length);
    }

    private void lost(int streamId, long firstSequence, long count, LossReason reason) {
        lossListener.onLost(streamId, firstSequence, count, reason);
    }

    @Override
    public int inFlight() {
        return source.inFlight();
    }

    /** Cancels the receives, waits for their completions, frees the buffers, closes the socket. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        boolean drained = owner.retire(fd, this, targetId, CLOSE_WAIT_NS);
        Unistd.close(fd);
        reassembler.close();
        if (drained) {
            source.close();
            arena.close();
        }
        // else: a receive may still write into the buffers; leaking them is the safe choice
    }
}
