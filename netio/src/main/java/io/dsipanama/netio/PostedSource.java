package io.dsipanama.netio;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import io.dsipanama.ffm.Errno;
import io.dsipanama.ffm.IoUring;
import io.dsipanama.ffm.Mman;
import io.dsipanama.ffm.Socket;

import static io.dsipanama.netio.SendSlotsDescriptor.IOVEC_SIZE;
import static io.dsipanama.netio.SendSlotsDescriptor.IOV_BASE;
import static io.dsipanama.netio.SendSlotsDescriptor.IOV_LEN;
import static io.dsipanama.netio.SendSlotsDescriptor.MSG_CONTROL;
import static io.dsipanama.netio.SendSlotsDescriptor.MSG_CONTROLLEN;
import static io.dsipanama.netio.SendSlotsDescriptor.MSG_FLAGS;
import static io.dsipanama.netio.SendSlotsDescriptor.MSG_IOV;
import static io.dsipanama.netio.SendSlotsDescriptor.MSG_IOVLEN;
import static io.dsipanama.netio.SendSlotsDescriptor.MSG_NAME;
import static io.dsipanama.netio.SendSlotsDescriptor.MSG_NAMELEN;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Zero-copy landing receive: one single-shot RECVMSG posted per slot, with two iovecs, the wire header
 * into a small control buffer and the payload straight into a page-aligned slot of a landing region (the
 * caller's, e.g. a stream's data area, or a mapping of our own when this is the fallback for a kernel
 * without multishot receive or buffer rings). Received with {@code MSG_TRUNC} so a datagram larger than its
 * slot is recognised by its real length.
 *
 * <pre>
 *  control memory, per slot (192 B)                       landing region (page-aligned)
 *  +--------+--------------+----------+------------+      +--------------+--------------+---
 *  | msghdr | iovec[2]     | name     | header     |      | slot 0       | slot 1       | ...
 *  | 0..63  | 64..95       | 96..127  | 128..175   |      | slotStride B | slotStride B |
 *  +--------+--------------+----------+------------+      +--------------+--------------+---
 *  iovec[0] -> header (48 B), iovec[1] -> landing slot; both kept until the completion
 * </pre>
 */
final class PostedSource implements DatagramSource {
    static final int PAGE = 4096;
    private static final long SLOT = 192;
    private static final long IOV_AT = 64;
    private static final long NAME_AT = 96;
    private static final long HEADER_AT = 128;
    private static final int NAME_ROOM = (int) Socket.SOCKADDR_IN6.byteSize();

    private final RingOwner owner;
    private final IoUring ring;
    private final NetCounters counters;
    private final int fd;
    private final int targetId;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment control;
    private final MemorySegment[] msghdrs;
    private final MemorySegment landing;
    private final long slotStride;
    private final int capacity;
    private final int[] length;
    private final boolean[] posted;
    private final boolean[] held;
    private final Sink sink;
    private final LandingZone zone;
    private final long[] landedAt;
    private int heldCount;
    private int postedCount;
    /** Some free slot is not posted (at start, or the SQ was full when it was released). */
    private boolean unposted = true;

    /**
     * @param landingRegion page-aligned native memory for payloads, or null for a mapping of our own; it
     *                      must outlive the receiver
     */
    PostedSource(RingOwner owner, int fd, int targetId, int maxDatagramBytes, MemorySegment landingRegion,
                 Sink sink) {
        this(owner, fd, targetId, maxDatagramBytes, landingRegion, null, sink);
    }

    /** With a {@link LandingZone}: each post lands its payload where the zone says (one region per post). */
    PostedSource(RingOwner owner, int fd, int targetId, int maxDatagramBytes, MemorySegment landingRegion,
                 LandingZone zone, Sink sink) {
        this.owner = owner;
        this.ring = owner.ring();
        this.counters = owner.counters();
        this.fd = fd;
        this.targetId = targetId;
        this.sink = sink;
        this.zone = zone;
        this.capacity = zone != null ? Math.min(zone.capacity(), maxDatagramBytes - FrameHeaderDescriptor.LENGTH)
                : maxDatagramBytes - FrameHeaderDescriptor.LENGTH;
        this.slotStride = ((long) capacity + PAGE - 1) & -(long) PAGE;
        int slots = zone != null ? zone.slots() : owner.context().rxBuffers();
        try {
            if (zone != null) {
                landing = null;
            } else if (landingRegion == null) {
                landing = Mman.map(arena, slots * slotStride, Mman.PROT_READ | Mman.PROT_WRITE,
                        Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS, -1, 0);
            } else {
                if (!landingRegion.isNative() || landingRegion.address() % PAGE != 0
                        || landingRegion.byteSize() < slotStride) {
                    throw new IllegalArgumentException("landing region must be native, page-aligned and hold at least"
                            + " one slot of " + slotStride + " bytes: " + landingRegion);
                }
                landing = landingRegion;
                slots = (int) Math.min(slots, landingRegion.byteSize() / slotStride);
            }
            control = arena.allocate(SLOT * slots, PAGE);
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
        length = new int[slots];
        posted = new boolean[slots];
        held = new boolean[slots];
        msghdrs = new MemorySegment[slots];
        landedAt = new long[slots];
        long controlAddress = control.address();
        for (int s = 0; s < slots; s++) {
            long base = s * SLOT;
            msghdrs[s] = control.asSlice(base, IOV_AT);
            long iov = base + IOV_AT;
            control.set(JAVA_LONG, iov + IOV_BASE, controlAddress + base + HEADER_AT);
            control.set(JAVA_LONG, iov + IOV_LEN, FrameHeaderDescriptor.LENGTH);
            control.set(JAVA_LONG, iov + IOVEC_SIZE + IOV_BASE, zone != null ? 0L : landing.address() + s * slotStride);
            control.set(JAVA_LONG, iov + IOVEC_SIZE + IOV_LEN, capacity);
            control.set(JAVA_LONG, base + MSG_NAME, controlAddress + base + NAME_AT);
            control.set(JAVA_LONG, base + MSG_IOV, controlAddress + iov);
            control.set(JAVA_LONG, base + MSG_IOVLEN, 2L);
            control.set(JAVA_LONG, base + MSG_CONTROL, 0L);
            control.set(JAVA_LONG, base + MSG_CONTROLLEN, 0L);
        }
    }

    @Override
    public int arm() {
        if (!unposted) {
            return 0;
        }
        unposted = false;
        int n = 0;
        for (int s = 0; s < length.length; s++) {
            if (!posted[s] && !held[s]) {
                if (!post(s)) {
                    unposted = true;
                    break;
                }
                n++;
            }
        }
        return n;
    }

    private boolean post(int slot) {
        if (zone != null && (landedAt[slot] = zone.acquire(slot)) < 0) {
            return false;
        }
        long sqe = owner.nextSqe();
        if (sqe < 0) {
            return false;
        }
        long base = slot * SLOT;
        if (zone != null) {
            // the zone keeps what it acquired until a datagram lands in it, so a later post gets the same bytes
            control.set(JAVA_LONG, base + IOV_AT + IOVEC_SIZE + IOV_BASE, zone.segment().address() + landedAt[slot]);
        }
        // the kernel rewrites the name length and flags of a msghdr it filled
        control.set(JAVA_INT, base + MSG_NAMELEN, NAME_ROOM);
        control.set(JAVA_INT, base + MSG_FLAGS, 0);
        ring.prepRecvmsg(sqe, fd, msghdrs[slot], Socket.MSG_TRUNC, RingOwner.userData(targetId, slot));
        posted[slot] = true;
        postedCount++;
        counters.increment(NetCounter.RX_REARMS);
        return true;
    }

    @Override
    public void onCompletion(long data, int res, int flags) {
        int slot = (int) data;
        posted[slot] = false;
        postedCount--;
        if (res < 0) {
            if (res != -Errno.ECANCELED) {
                counters.increment(NetCounter.RX_ERRORS);
            }
            return;
        }
        held[slot] = true;
        heldCount++;
        length[slot] = res > FrameHeaderDescriptor.LENGTH + capacity ? -1 : res;
        sink.onDatagram(slot);
    }

    @Override
    public int datagramLength(int slot) {
        return length[slot];
    }

    @Override
    public MemorySegment headerSegment() {
        return control;
    }

    @Override
    public long headerOffset(int slot) {
        return slot * SLOT + HEADER_AT;
    }

    @Override
    public MemorySegment payloadSegment() {
        return zone != null ? zone.segment() : landing;
    }

    @Override
    public long payloadOffset(int slot) {
        return zone != null ? landedAt[slot] : slot * slotStride;
    }

    @Override
    public MemorySegment nameSegment() {
        return control;
    }

    @Override
    public long nameOffset(int slot) {
        return slot * SLOT + NAME_AT;
    }

    /** Gives the slot back and posts it again at once (or at the next {@link #arm()} if the SQ is full). */
    @Override
    public void release(int slot) {
        if (!held[slot]) {
            throw new IllegalStateException("slot " + slot + " released twice");
        }
        held[slot] = false;
        heldCount--;
        if (!post(slot)) {
            unposted = true;
        }
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
        return postedCount;
    }

    /** The landing region's slot stride (a multiple of the page size). */
    long slotStride() {
        return slotStride;
    }

    @Override
    public void close() {
        arena.close();
    }
}
