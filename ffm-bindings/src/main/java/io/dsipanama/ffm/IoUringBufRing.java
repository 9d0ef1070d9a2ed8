package io.dsipanama.ffm;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;

import static io.dsipanama.ffm.Liburing.IO_URING_BUF;
import static io.dsipanama.ffm.Liburing.IO_URING_BUF_REG;
import static io.dsipanama.ffm.Liburing.IO_URING_BUF_RING;

/**
 * A provided-buffer ring (io_uring_register_buf_ring(3), Linux 5.19) with its buffers: {@code entries}
 * buffers of {@code bufferSize} bytes, ids 0..entries-1, all handed to the kernel at construction. A
 * receive with {@code IOSQE_BUFFER_SELECT} and this group takes one; its CQE names it
 * ({@code flags >>> IORING_CQE_BUFFER_SHIFT}); {@link #recycle} gives it back.
 *
 * <pre>
 *  ring (page-aligned mapping, entries x 16 B)        buffers (entries x bufferSize)
 *  +--------------------------+--------+------+       +---------+---------+---
 *  | bufs[0]: addr, len, bid  | resv = tail   |  ...  | bid 0   | bid 1   | ...
 *  +--------------------------+---------------+       +---------+---------+---
 *  tail: u16, written here with release (pairs with the kernel's smp_load_acquire(&br->tail) in
 *  io_ring_buffer_select); head: kernel-private. Entries at [tail, tail + n) are written plainly first.
 * </pre>
 *
 * <p>Threading: one thread, the one reaping the CQEs (the ring's thread). Closing unregisters the group
 * (unless the ring is already closed, which drops it) and unmaps both areas.
 */
@SuppressWarnings("restricted")
public final class IoUringBufRing implements AutoCloseable {
    private static final VarHandle TAIL = IO_URING_BUF_RING.varHandle(Liburing.path(IO_URING_BUF_RING, "tail"));
    private static final VarHandle BUF_ADDR = IO_URING_BUF.varHandle(Liburing.path(IO_URING_BUF, "addr"));
    private static final VarHandle BUF_LEN = IO_URING_BUF.varHandle(Liburing.path(IO_URING_BUF, "len"));
    private static final VarHandle BUF_BID = IO_URING_BUF.varHandle(Liburing.path(IO_URING_BUF, "bid"));
    private static final VarHandle REG_RING_ADDR = reg("ring_addr");
    private static final VarHandle REG_RING_ENTRIES = reg("ring_entries");
    private static final VarHandle REG_BGID = reg("bgid");

    private final IoUring uring;
    private final Arena arena;
    private final MemorySegment bufRing;
    private final MemorySegment buffers;
    private final int bgid;
    private final int entries;
    private final int mask;
    private final int bufferSize;
    /** Our copy of the published tail (only this side writes it). */
    private short tail;
    private boolean closed;

    /**
     * Maps the ring and buffers and registers them as group {@code bgid} of {@code uring}.
     *
     * @param entries    a power of two, 1..32768
     * @param bufferSize bytes per buffer
     */
    public IoUringBufRing(IoUring uring, int bgid, int entries, int bufferSize) {
        if (entries <= 0 || entries > 32768 || Integer.bitCount(entries) != 1) {
            throw new IllegalArgumentException("entries must be a power of two in 1..32768: " + entries);
        }
        if (bgid < 0 || bgid > 0xffff || bufferSize <= 0) {
            throw new IllegalArgumentException("bgid " + bgid + ", bufferSize " + bufferSize);
        }
        this.uring = uring;
        this.bgid = bgid;
        this.entries = entries;
        this.mask = entries - 1;
        this.bufferSize = bufferSize;
        Arena a = Arena.ofShared();
        try {
            int prot = Mman.PROT_READ | Mman.PROT_WRITE;
            int flags = Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS;
            // the kernel wants the ring page-aligned: a mapping of its own guarantees it
            bufRing = Mman.map(a, IO_URING_BUF.byteSize() * entries, prot, flags, -1, 0);
            buffers = Mman.map(a, (long) bufferSize * entries, prot, flags, -1, 0);
            for (int bid = 0; bid < entries; bid++) {
                add(bid, bid);
            }
            TAIL.setRelease(bufRing, 0L, (short) entries);
            tail = (short) entries;
            MemorySegment reg = a.allocate(IO_URING_BUF_REG);
            REG_RING_ADDR.set(reg, 0L, bufRing.address());
            REG_RING_ENTRIES.set(reg, 0L, entries);
            REG_BGID.set(reg, 0L, (short) bgid);
            Liburing.io_uring_register_buf_ring(uring.ring(), reg, 0);
        } catch (RuntimeException | Error e) {
            a.close();
            throw e;
        }
        this.arena = a;
    }

    /** Buffer {@code bid} (a slice of the buffer area, {@code bufferSize} bytes). */
    public MemorySegment buffer(int bid) {
        return buffers.asSlice((long) bid * bufferSize, bufferSize);
    }

    /** The whole buffer area ({@code entries * bufferSize} bytes); buffer {@code bid} starts at {@code bid * bufferSize}. */
    public MemorySegment buffers() {
        return buffers;
    }

    /**
     * Gives buffer {@code bid} back to the kernel: writes it at the tail, then publishes the new tail with a
     * release store (pairs with the kernel's smp_load_acquire of the tail).
     */
    public void recycle(int bid) {
        add(tail, bid);
        tail++;
        TAIL.setRelease(bufRing, 0L, tail);
    }

    private void add(int slot, int bid) {
        long at = (slot & mask) * IO_URING_BUF.byteSize();
        BUF_ADDR.set(bufRing, at, buffers.address() + (long) bid * bufferSize);
        BUF_LEN.set(bufRing, at, bufferSize);
        BUF_BID.set(bufRing, at, (short) bid);
    }

    public int bgid() {
        return bgid;
    }

    public int entries() {
        return entries;
    }

    public int bufferSize() {
        return bufferSize;
    }

    /** Unregisters the group (if the ring is still open) and unmaps ring and buffers. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (!uring.isClosed()) {
                Liburing.io_uring_unregister_buf_ring(uring.ring(), bgid);
            }
        } finally {
            arena.close();
        }
    }

    private static VarHandle reg(String member) {
        return IO_URING_BUF_REG.varHandle(Liburing.path(IO_URING_BUF_REG, member));
    }
}
