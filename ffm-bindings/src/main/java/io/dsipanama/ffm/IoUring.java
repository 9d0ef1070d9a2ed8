package io.dsipanama.ffm;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.util.Objects;

import static io.dsipanama.ffm.Liburing.IORING_OP_ACCEPT;
import static io.dsipanama.ffm.Liburing.IORING_OP_CONNECT;
import static io.dsipanama.ffm.Liburing.IORING_OP_NOP;
import static io.dsipanama.ffm.Liburing.IORING_OP_RECV;
import static io.dsipanama.ffm.Liburing.IORING_OP_RECVMSG;
import static io.dsipanama.ffm.Liburing.IORING_OP_SEND;
import static io.dsipanama.ffm.Liburing.IORING_OP_SENDMSG;
import static io.dsipanama.ffm.Liburing.IORING_OP_SENDMSG_ZC;
import static io.dsipanama.ffm.Liburing.IORING_OP_SEND_ZC;
import static io.dsipanama.ffm.Liburing.IO_URING;
import static io.dsipanama.ffm.Liburing.IO_URING_CQE;
import static io.dsipanama.ffm.Liburing.IO_URING_PARAMS;
import static io.dsipanama.ffm.Liburing.IO_URING_SQE;
import static io.dsipanama.ffm.Liburing.KERNEL_TIMESPEC;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * One io_uring instance: liburing's {@code struct io_uring} in an arena of its own, with liburing's inline
 * helpers done in Java so that a batch costs one downcall. Get a slot with {@link #nextSqe()}, fill it with a
 * {@code prep*} method, repeat, then {@link #submit()} once; reap with {@link #forEachCqe}. Setup,
 * submission and registration go through {@link Liburing}'s bound functions.
 *
 * <pre>
 *  user space (this class)                       shared with the kernel (mmap)
 *  ring.sq.sqe_tail  --nextSqe() advances-->      sqes[sq_entries] x 64 B    written here, read by the kernel
 *  io_uring_submit: *sq.ktail = sqe_tail ------>  SQ ring: khead, ktail, flags, dropped, array[] (identity)
 *  forEachCqe: getAcquire(*cq.ktail), reads  <--  CQ ring: khead, ktail, overflow, cqes[cq_entries] x 16 B
 *              entries, setRelease(*cq.khead)
 * </pre>
 *
 * <p>Memory ordering on the shared words (kernel side from io_uring/io_uring.c):
 * <ul>
 * <li>{@code *sq.khead}: read with acquire in {@link #nextSqe()}, pairing with the kernel's
 *     {@code smp_store_release(&rings->sq.head)} in {@code io_commit_sqring}: a slot is reused only after
 *     the kernel has finished reading it (this matters with SQPOLL, where the kernel consumes concurrently).
 * <li>{@code *sq.ktail}: written by liburing's {@code __io_uring_flush_sq} inside io_uring_submit (a plain
 *     store before the io_uring_enter syscall; a release store with SQPOLL), after our plain SQE stores.
 * <li>{@code *cq.ktail}: read with acquire, pairing with the kernel's {@code smp_store_release} of the CQ
 *     tail in {@code io_commit_cqring}: the CQEs below it are fully written.
 * <li>{@code *cq.khead}: written with release after the entries are read, pairing with the kernel's
 *     control-dependent read of the head before it overwrites a slot.
 * </ul>
 *
 * <p>Threading: like liburing's ring, an instance is used by one thread at a time (SQ and CQ side alike);
 * nothing here is synchronised. With {@link Liburing#IORING_SETUP_SINGLE_ISSUER} the kernel also insists
 * that submissions come from the creating thread, and with {@link Liburing#IORING_SETUP_DEFER_TASKRUN}
 * completions are only posted when that thread enters the kernel ({@link #getEvents()},
 * {@link #submitAndWait}). Not usable across processes.
 *
 * <p>Hot-path methods allocate nothing and never throw for a full ring: {@link #nextSqe()} returns a
 * negative value then. Memory passed to an SQE (buffers, msghdr, iovecs, addresses) must be native and
 * stay alive until its completion (for a zero-copy send: until its notification).
 */
@SuppressWarnings("restricted")
public final class IoUring implements AutoCloseable {
    /** Setup flags this class can drive; SQE128/CQE32 change the entry strides and are refused. */
    private static final int SUPPORTED_FLAGS = Liburing.IORING_SETUP_IOPOLL | Liburing.IORING_SETUP_SQPOLL
            | Liburing.IORING_SETUP_SQ_AFF | Liburing.IORING_SETUP_CQSIZE | Liburing.IORING_SETUP_CLAMP
            | Liburing.IORING_SETUP_SUBMIT_ALL | Liburing.IORING_SETUP_COOP_TASKRUN
            | Liburing.IORING_SETUP_TASKRUN_FLAG | Liburing.IORING_SETUP_SINGLE_ISSUER
            | Liburing.IORING_SETUP_DEFER_TASKRUN;

    private static final long SQE_SIZE = IO_URING_SQE.byteSize();
    private static final long CQE_SIZE = IO_URING_CQE.byteSize();
    private static final long NSEC_PER_SEC = 1_000_000_000L;

    /** A 32-bit word of the shared rings at offset 0 of a 4-byte segment: plain, acquire and release. */
    private static final VarHandle U32 = JAVA_INT.varHandle();

    private static final VarHandle RING_SQ_SQE_TAIL = ringField("sq.sqe_tail");
    private static final VarHandle RING_FLAGS = ringField("flags");
    private static final VarHandle RING_FD = ringField("ring_fd");
    private static final VarHandle RING_FEATURES = ringField("features");

    private static final VarHandle PARAMS_FLAGS = paramsField("flags");
    private static final VarHandle PARAMS_CQ_ENTRIES = paramsField("cq_entries");
    private static final VarHandle PARAMS_SQ_THREAD_CPU = paramsField("sq_thread_cpu");
    private static final VarHandle PARAMS_SQ_THREAD_IDLE = paramsField("sq_thread_idle");

    private static final VarHandle SQE_OPCODE = sqeField("opcode");
    private static final VarHandle SQE_FLAGS = sqeField("flags");
    private static final VarHandle SQE_IOPRIO = sqeField("ioprio");
    private static final VarHandle SQE_FD = sqeField("fd");
    private static final VarHandle SQE_OFF = sqeField("off");
    private static final VarHandle SQE_ADDR2 = sqeField("addr2");
    private static final VarHandle SQE_ADDR = sqeField("addr");
    private static final VarHandle SQE_LEN = sqeField("len");
    private static final VarHandle SQE_MSG_FLAGS = sqeField("msg_flags");
    private static final VarHandle SQE_USER_DATA = sqeField("user_data");
    private static final VarHandle SQE_BUF_INDEX = sqeField("buf_index");
    private static final VarHandle SQE_BUF_GROUP = sqeField("buf_group");
    private static final VarHandle SQE_ADDR_LEN = sqeField("addr_len");
    private static final VarHandle SQE_ADDR3 = sqeField("addr3");

    private static final VarHandle CQE_USER_DATA = IO_URING_CQE.varHandle(Liburing.path(IO_URING_CQE, "user_data"));
    private static final VarHandle CQE_RES = IO_URING_CQE.varHandle(Liburing.path(IO_URING_CQE, "res"));
    private static final VarHandle CQE_FLAGS = IO_URING_CQE.varHandle(Liburing.path(IO_URING_CQE, "flags"));

    private static final VarHandle TS_SEC = KERNEL_TIMESPEC.varHandle(Liburing.path(KERNEL_TIMESPEC, "tv_sec"));
    private static final VarHandle TS_NSEC = KERNEL_TIMESPEC.varHandle(Liburing.path(KERNEL_TIMESPEC, "tv_nsec"));

    /** Receives one completion; called with the values copied out, the slot is already released. */
    @FunctionalInterface
    public interface CqeHandler {
        void onCqe(long userData, int res, int flags);
    }

    private final Arena arena;
    private final MemorySegment ring;
    private final int ringFd;
    private final int setupFlags;
    private final int features;
    private final int sqEntries;
    private final int sqMask;
    private final int cqEntries;
    private final int cqMask;
    private final MemorySegment sqKhead;
    private final MemorySegment sqKtail;
    private final MemorySegment sqKflags;
    private final MemorySegment sqKdropped;
    private final MemorySegment sqArray;
    private final MemorySegment sqes;
    private final MemorySegment cqKhead;
    private final MemorySegment cqKtail;
    private final MemorySegment cqKoverflow;
    private final MemorySegment cqes;
    private final MemorySegment waitTimespec;
    private final MemorySegment waitCqePtr;
    private boolean closed;

    /** A ring of {@code entries} SQEs (a power of two is used; CQ twice that) with setup {@code flags}. */
    public IoUring(int entries, int flags) {
        this(entries, flags, 0, 0, -1);
    }

    /**
     * @param entries        SQ size (rounded up to a power of two by the kernel)
     * @param flags          {@code IORING_SETUP_*}; CQSIZE and SQ_AFF are added when the next arguments ask
     * @param cqSize         CQ size, or 0 for the default (twice the SQ)
     * @param sqThreadIdleMs with SQPOLL: how long the kernel thread spins before it sleeps
     * @param sqThreadCpu    with SQPOLL: the CPU to pin the kernel thread to, or -1
     */
    public IoUring(int entries, int flags, int cqSize, int sqThreadIdleMs, int sqThreadCpu) {
        if ((flags & ~SUPPORTED_FLAGS) != 0) {
            throw new IllegalArgumentException("unsupported io_uring setup flags 0x"
                    + Integer.toHexString(flags & ~SUPPORTED_FLAGS));
        }
        int setup = flags | (cqSize > 0 ? Liburing.IORING_SETUP_CQSIZE : 0)
                | (sqThreadCpu >= 0 ? Liburing.IORING_SETUP_SQ_AFF : 0);
        Arena a = Arena.ofShared();
        MemorySegment r;
        try {
            MemorySegment params = a.allocate(IO_URING_PARAMS);
            PARAMS_FLAGS.set(params, 0L, setup);
            PARAMS_CQ_ENTRIES.set(params, 0L, Math.max(cqSize, 0));
            PARAMS_SQ_THREAD_IDLE.set(params, 0L, Math.max(sqThreadIdleMs, 0));
            PARAMS_SQ_THREAD_CPU.set(params, 0L, Math.max(sqThreadCpu, 0));
            r = a.allocate(IO_URING);
            Liburing.io_uring_queue_init_params(entries, r, params);
        } catch (RuntimeException | Error e) {
            a.close();
            throw e;
        }
        this.arena = a;
        this.ring = r;
        try {
            ringFd = (int) RING_FD.get(r, 0L);
            setupFlags = (int) RING_FLAGS.get(r, 0L);
            features = (int) RING_FEATURES.get(r, 0L);
            sqEntries = (int) ringField("sq.ring_entries").get(r, 0L);
            sqMask = (int) ringField("sq.ring_mask").get(r, 0L);
            cqEntries = (int) ringField("cq.ring_entries").get(r, 0L);
            cqMask = (int) ringField("cq.ring_mask").get(r, 0L);
            sqKhead = pointee("sq.khead", JAVA_INT.byteSize());
            sqKtail = pointee("sq.ktail", JAVA_INT.byteSize());
            sqKflags = pointee("sq.kflags", JAVA_INT.byteSize());
            sqKdropped = pointee("sq.kdropped", JAVA_INT.byteSize());
            sqArray = pointee("sq.array", JAVA_INT.byteSize() * sqEntries);
            sqes = pointee("sq.sqes", SQE_SIZE * sqEntries);
            cqKhead = pointee("cq.khead", JAVA_INT.byteSize());
            cqKtail = pointee("cq.ktail", JAVA_INT.byteSize());
            cqKoverflow = pointee("cq.koverflow", JAVA_INT.byteSize());
            cqes = pointee("cq.cqes", CQE_SIZE * cqEntries);
            waitTimespec = a.allocate(KERNEL_TIMESPEC);
            waitCqePtr = a.allocate(ADDRESS);
        } catch (RuntimeException | Error e) {
            Liburing.io_uring_queue_exit(r);
            a.close();
            throw e;
        }
    }

    // ---- submission ------------------------------------------------------------------------------

    /**
     * Claims the next free SQE, as liburing's {@code io_uring_get_sqe}: returns its byte offset in
     * {@link #sqes()}, or -1 when the SQ is full (submit, then try again). The slot's old contents remain:
     * a {@code prep*} method overwrites all 64 bytes.
     */
    public long nextSqe() {
        int tail = (int) RING_SQ_SQE_TAIL.get(ring, 0L);
        // acquire: pairs with the kernel's smp_store_release(&rings->sq.head) in io_commit_sqring
        int head = (int) U32.getAcquire(sqKhead, 0L);
        if (Integer.compareUnsigned(tail + 1 - head, sqEntries) > 0) {
            return -1;
        }
        // liburing's own counter: io_uring_submit's __io_uring_flush_sq publishes it to *sq.ktail
        RING_SQ_SQE_TAIL.set(ring, 0L, tail + 1);
        return (tail & sqMask) * SQE_SIZE;
    }

    /** SQEs claimed but not yet consumed by the kernel (liburing's {@code io_uring_sq_ready}). */
    public int sqReady() {
        return (int) RING_SQ_SQE_TAIL.get(ring, 0L) - (int) U32.getAcquire(sqKhead, 0L);
    }

    public int sqSpaceLeft() {
        return sqEntries - sqReady();
    }

    /**
     * {@code io_uring_prep_rw}: zeroes the whole SQE, then sets the common fields. {@code addr} is a raw
     * address (a pointer, or an opcode-specific value).
     */
    public void prepRw(int op, long sqe, int fd, long addr, int len, long off, long userData) {
        for (long i = 0; i < SQE_SIZE; i += JAVA_LONG.byteSize()) {
            sqes.set(JAVA_LONG, sqe + i, 0L);
        }
        SQE_OPCODE.set(sqes, sqe, (byte) op);
        SQE_FD.set(sqes, sqe, fd);
        SQE_OFF.set(sqes, sqe, off);
        SQE_ADDR.set(sqes, sqe, addr);
        SQE_LEN.set(sqes, sqe, len);
        SQE_USER_DATA.set(sqes, sqe, userData);
    }

    /** {@code IORING_OP_NOP}: completes with res 0; for tests and for waking a waiter. */
    public void prepNop(long sqe, long userData) {
        prepRw(IORING_OP_NOP, sqe, -1, 0L, 0, 0L, userData);
    }

    /** {@code IORING_OP_SENDMSG} of a {@link Socket#MSGHDR} ({@code msg_name} set for unconnected UDP). */
    public void prepSendmsg(long sqe, int fd, MemorySegment msghdr, int msgFlags, long userData) {
        prepRw(IORING_OP_SENDMSG, sqe, fd, address(msghdr), 1, 0L, userData);
        SQE_MSG_FLAGS.set(sqes, sqe, msgFlags);
    }

    /** {@code IORING_OP_RECVMSG} into a {@link Socket#MSGHDR}; the kernel updates its lengths and flags. */
    public void prepRecvmsg(long sqe, int fd, MemorySegment msghdr, int msgFlags, long userData) {
        prepRw(IORING_OP_RECVMSG, sqe, fd, address(msghdr), 1, 0L, userData);
        SQE_MSG_FLAGS.set(sqes, sqe, msgFlags);
    }

    /**
     * Multishot {@code IORING_OP_RECVMSG} (Linux 6.0): one SQE, one CQE per datagram, each landing in a
     * buffer of group {@code bufGroup} as {@link Liburing#IO_URING_RECVMSG_OUT}, then {@code msg_namelen}
     * bytes of name, {@code msg_controllen} of control, then the payload. CQEs carry
     * {@link Liburing#IORING_CQE_F_MORE} while the request stays armed.
     */
    public void prepRecvmsgMultishot(long sqe, int fd, MemorySegment msghdr, int msgFlags, int bufGroup,
                                     long userData) {
        prepRecvmsg(sqe, fd, msghdr, msgFlags, userData);
        sqeOrIoprio(sqe, Liburing.IORING_RECV_MULTISHOT);
        sqeBufferSelect(sqe, bufGroup);
    }

    /**
     * {@code IORING_OP_ACCEPT} (Linux 5.5) on a listening socket, peer address not asked for; the CQE's
     * {@code res} is the new descriptor or {@code -errno}. {@code acceptFlags} as accept4(2)'s
     * ({@link Socket#SOCK_CLOEXEC}, {@link Socket#SOCK_NONBLOCK}); they share the SQE word of {@code msg_flags}.
     */
    public void prepAccept(long sqe, int fd, int acceptFlags, long userData) {
        prepRw(IORING_OP_ACCEPT, sqe, fd, 0L, 0, 0L, userData);
        SQE_MSG_FLAGS.set(sqes, sqe, acceptFlags);
    }

    /**
     * {@code IORING_OP_CONNECT} (Linux 5.5) to the {@code addrlen} bytes of sockaddr at {@code sockaddr}, which
     * must stay valid until the CQE ({@code res} 0 or {@code -errno}).
     */
    public void prepConnect(long sqe, int fd, MemorySegment sockaddr, int addrlen, long userData) {
        prepRw(IORING_OP_CONNECT, sqe, fd, address(sockaddr), 0, addrlen, userData);
    }

    /** {@code IORING_OP_SEND} of the whole of {@code buf}. */
    public void prepSend(long sqe, int fd, MemorySegment buf, int msgFlags, long userData) {
        prepRw(IORING_OP_SEND, sqe, fd, address(buf), length(buf), 0L, userData);
        SQE_MSG_FLAGS.set(sqes, sqe, msgFlags);
    }

    /** {@code IORING_OP_RECV} into {@code buf} (up to its size). */
    public void prepRecv(long sqe, int fd, MemorySegment buf, int msgFlags, long userData) {
        prepRw(IORING_OP_RECV, sqe, fd, address(buf), length(buf), 0L, userData);
        SQE_MSG_FLAGS.set(sqes, sqe, msgFlags);
    }

    /**
     * {@code IORING_OP_SEND_ZC} (Linux 6.0) of the whole of {@code buf}. Two CQEs come back with
     * {@code userData}: the send's result (flagged {@link Liburing#IORING_CQE_F_MORE}), then a notification
     * ({@link Liburing#IORING_CQE_F_NOTIF}); {@code buf} may be reused only after the notification.
     * {@code zcFlags} go in {@code ioprio}: {@link Liburing#IORING_SEND_ZC_REPORT_USAGE},
     * {@link Liburing#IORING_RECVSEND_POLL_FIRST}.
     */
    public void prepSendZc(long sqe, int fd, MemorySegment buf, int msgFlags, int zcFlags, long userData) {
        prepRw(IORING_OP_SEND_ZC, sqe, fd, address(buf), length(buf), 0L, userData);
        SQE_MSG_FLAGS.set(sqes, sqe, msgFlags);
        SQE_IOPRIO.set(sqes, sqe, (short) zcFlags);
    }

    /** {@code IORING_OP_SENDMSG_ZC} (Linux 6.1): as {@link #prepSendmsg}, with the two-CQE contract of SEND_ZC. */
    public void prepSendmsgZc(long sqe, int fd, MemorySegment msghdr, int msgFlags, long userData) {
        prepSendmsg(sqe, fd, msghdr, msgFlags, userData);
        SQE_OPCODE.set(sqes, sqe, (byte) IORING_OP_SENDMSG_ZC);
    }

    /**
     * {@code io_uring_prep_cancel_fd}: cancels requests on {@code fd} ({@code IORING_ASYNC_CANCEL_FD} is added;
     * add {@link Liburing#IORING_ASYNC_CANCEL_ALL} for every one rather than the first). Its own CQE's res is
     * the count cancelled (with CANCEL_ALL) or {@code -ENOENT}; each cancelled request completes with
     * {@code -ECANCELED}.
     */
    public void prepCancelFd(long sqe, int fd, int cancelFlags, long userData) {
        prepRw(Liburing.IORING_OP_ASYNC_CANCEL, sqe, fd, 0L, 0, 0L, userData);
        // cancel_flags shares the op-flags union with msg_flags
        SQE_MSG_FLAGS.set(sqes, sqe, cancelFlags | Liburing.IORING_ASYNC_CANCEL_FD);
    }

    /**
     * {@code io_uring_prep_cancel64}: cancels the request submitted with {@code targetUserData} (the first one,
     * or all with {@link Liburing#IORING_ASYNC_CANCEL_ALL}). Its own CQE's res is {@code >= 0} when it found
     * the request (0, or the count cancelled: 6.18 reports 1 for one), {@code -ENOENT} or {@code -EALREADY}; the cancelled request completes with {@code -ECANCELED}.
     */
    public void prepCancel(long sqe, long targetUserData, int cancelFlags, long userData) {
        prepRw(Liburing.IORING_OP_ASYNC_CANCEL, sqe, -1, targetUserData, 0, 0L, userData);
        SQE_MSG_FLAGS.set(sqes, sqe, cancelFlags);
    }

    /**
     * {@code io_uring_prep_futex_wait} (Linux 6.7, {@link Liburing#IORING_OP_FUTEX_WAIT}): waits, without a
     * thread, while the 32-bit word at {@code offset} of {@code segment} holds {@code expected}; completes with
     * res 0 when a FUTEX_WAKE (futex(2), futex_wake(2) or io_uring's) reaches it, {@code -EAGAIN} at once when
     * the word held another value, {@code -ECANCELED} when cancelled ({@link #prepCancel}). {@code futex2Flags}:
     * {@link Futex#FUTEX2_SIZE_U32}, plus {@link Futex#FUTEX2_PRIVATE} only for a word no other process maps
     * (a shared word must be waited on as shared to meet a waker that uses plain FUTEX_WAKE). The bitset is
     * {@link Futex#FUTEX_BITSET_MATCH_ANY}, so every wake of the word counts. The word must stay mapped until
     * the completion.
     */
    public void prepFutexWait(long sqe, MemorySegment segment, long offset, int expected, int futex2Flags,
                              long userData) {
        Objects.checkFromIndexSize(offset, JAVA_INT.byteSize(), segment.byteSize());
        long word = address(segment) + offset;
        if ((word & 3) != 0) {
            throw new IllegalArgumentException("futex word at 0x" + Long.toHexString(word) + " is not 4-byte aligned");
        }
        // liburing: prep_rw(op, sqe, futex_flags (in fd), uaddr, 0, val (in off/addr2)); addr3 = mask
        prepRw(Liburing.IORING_OP_FUTEX_WAIT, sqe, futex2Flags, word, 0, Integer.toUnsignedLong(expected), userData);
        SQE_ADDR3.set(sqes, sqe, Integer.toUnsignedLong(Futex.FUTEX_BITSET_MATCH_ANY));
    }

    /** Sets {@code sqe->flags} ({@code IOSQE_*}), replacing what was there. */
    public void sqeSetFlags(long sqe, int iosqeFlags) {
        SQE_FLAGS.set(sqes, sqe, (byte) iosqeFlags);
    }

    /** ORs {@code bits} into {@code sqe->ioprio} (recv/send flags such as {@code IORING_RECV_MULTISHOT}). */
    public void sqeOrIoprio(long sqe, int bits) {
        SQE_IOPRIO.set(sqes, sqe, (short) ((short) SQE_IOPRIO.get(sqes, sqe) | bits));
    }

    /** Lets the kernel pick the buffer from provided-buffer group {@code bufGroup} ({@code IOSQE_BUFFER_SELECT}). */
    public void sqeBufferSelect(long sqe, int bufGroup) {
        SQE_FLAGS.set(sqes, sqe, (byte) ((byte) SQE_FLAGS.get(sqes, sqe) | Liburing.IOSQE_BUFFER_SELECT));
        SQE_BUF_GROUP.set(sqes, sqe, (short) bufGroup);
    }

    /** Sends from registered buffer {@code bufIndex} ({@code IORING_RECVSEND_FIXED_BUF}, SEND_ZC only). */
    public void sqeFixedBuffer(long sqe, int bufIndex) {
        sqeOrIoprio(sqe, Liburing.IORING_RECVSEND_FIXED_BUF);
        SQE_BUF_INDEX.set(sqes, sqe, (short) bufIndex);
    }

    /** {@code io_uring_prep_send_set_addr}: destination for SEND/SEND_ZC on an unconnected socket (6.0). */
    public void sqeSendAddr(long sqe, MemorySegment sockaddr, int addrlen) {
        SQE_ADDR2.set(sqes, sqe, address(sockaddr));
        SQE_ADDR_LEN.set(sqes, sqe, (short) addrlen);
    }

    /**
     * io_uring_submit: one downcall for everything claimed since the last submit. Returns the count
     * submitted, or {@code -EAGAIN}, {@code -EBUSY} (reap completions first), {@code -EINTR}.
     */
    public int submit() {
        return Liburing.io_uring_submit(ring);
    }

    /** Submits and waits until {@code waitNr} completions are ready; same return values as {@link #submit()}. */
    public int submitAndWait(int waitNr) {
        return Liburing.io_uring_submit_and_wait(ring, waitNr);
    }

    /**
     * Submits what is pending and waits up to {@code timeoutNs} for {@code waitNr} completions. As
     * liburing 2.3 reports it: the count submitted if this call submitted anything (whether or not the wait
     * then timed out), else 0 when completions are ready or {@code -ETIME} on timeout; or
     * {@code -EAGAIN}/{@code -EBUSY}/{@code -EINTR}. Check {@link #cqReady()} rather than the result.
     */
    public int submitAndWait(int waitNr, long timeoutNs) {
        TS_SEC.set(waitTimespec, 0L, timeoutNs / NSEC_PER_SEC);
        TS_NSEC.set(waitTimespec, 0L, timeoutNs % NSEC_PER_SEC);
        return Liburing.io_uring_submit_and_wait_timeout(ring, waitCqePtr, waitNr, waitTimespec, MemorySegment.NULL);
    }

    /**
     * Submits what is pending and runs task work in one io_uring_enter, without waiting: the cheapest way for
     * a DEFER_TASKRUN ring to both hand over SQEs and get its completions posted. Same returns as submit.
     */
    public int submitAndGetEvents() {
        return Liburing.io_uring_submit_and_get_events(ring);
    }

    /** Runs pending task work so completions reach the CQ (needed with DEFER_TASKRUN); see io_uring_get_events. */
    public int getEvents() {
        return Liburing.io_uring_get_events(ring);
    }

    /**
     * Registers {@code eventfd} to be signalled when this ring has completions (or, with DEFER_TASKRUN, task
     * work waiting for its submitter); {@code asyncOnly} = IORING_REGISTER_EVENTFD_ASYNC. See
     * {@link Liburing#io_uring_register_eventfd}. The caller keeps the eventfd and closes it after
     * {@link #unregisterEventfd()} or the ring's close.
     */
    public void registerEventfd(int eventfd, boolean asyncOnly) {
        if (asyncOnly) {
            Liburing.io_uring_register_eventfd_async(ring, eventfd);
        } else {
            Liburing.io_uring_register_eventfd(ring, eventfd);
        }
    }

    /** Stops signalling the registered eventfd. */
    public void unregisterEventfd() {
        Liburing.io_uring_unregister_eventfd(ring);
    }

    // ---- completion ------------------------------------------------------------------------------

    /** Completions ready to reap. */
    public int cqReady() {
        // acquire: pairs with the kernel's smp_store_release of the CQ tail (io_commit_cqring)
        return (int) U32.getAcquire(cqKtail, 0L) - (int) U32.get(cqKhead, 0L);
    }

    /** Reaps every ready completion; see {@link #forEachCqe(CqeHandler, int)}. */
    public int forEachCqe(CqeHandler handler) {
        return forEachCqe(handler, Integer.MAX_VALUE);
    }

    /**
     * Hands up to {@code limit} ready completions to {@code handler} in CQ order, then releases their slots
     * with one store of the CQ head (also when the handler throws: the CQE it threw on counts as seen).
     * Returns how many were handled; 0 when the CQ is empty. The handler may claim and fill SQEs.
     */
    public int forEachCqe(CqeHandler handler, int limit) {
        // only this thread writes *cq.khead, so a plain read sees our own last store
        int head = (int) U32.get(cqKhead, 0L);
        // acquire: pairs with the kernel's smp_store_release of the CQ tail; the CQEs below it are written
        int tail = (int) U32.getAcquire(cqKtail, 0L);
        int n = 0;
        try {
            while (head != tail && n < limit) {
                long cqe = (head & cqMask) * CQE_SIZE;
                head++;
                n++;
                handler.onCqe((long) CQE_USER_DATA.get(cqes, cqe), (int) CQE_RES.get(cqes, cqe),
                        (int) CQE_FLAGS.get(cqes, cqe));
            }
        } finally {
            if (n > 0) {
                // release: our reads of the entries happen before the kernel may reuse their slots
                U32.setRelease(cqKhead, 0L, head);
            }
        }
        return n;
    }

    // ---- state and shared memory -------------------------------------------------------------------

    /** The SQ ring's flags word ({@code IORING_SQ_NEED_WAKEUP}, {@code _CQ_OVERFLOW}, {@code _TASKRUN}), opaque. */
    public int sqFlags() {
        return (int) U32.getOpaque(sqKflags, 0L);
    }

    /** SQEs the kernel dropped as invalid (read opaque). */
    public int sqDropped() {
        return (int) U32.getOpaque(sqKdropped, 0L);
    }

    /** Completions lost to a full CQ on kernels without {@code IORING_FEAT_NODROP} (read opaque). */
    public int cqOverflow() {
        return (int) U32.getOpaque(cqKoverflow, 0L);
    }

    /** liburing's {@code struct io_uring} ({@link Liburing#IO_URING}), for the functions of {@link Liburing}. */
    public MemorySegment ring() {
        return ring;
    }

    /** The SQE array, {@code sqEntries() * 64} bytes; {@link #nextSqe()} returns offsets into it. */
    public MemorySegment sqes() {
        return sqes;
    }

    /** The SQ index array ({@code sqEntries()} u32), identity-mapped by liburing 2.3 at setup. */
    public MemorySegment sqArray() {
        return sqArray;
    }

    /** {@code *sq.khead} (4 bytes): advanced by the kernel as it consumes SQEs. */
    public MemorySegment sqKhead() {
        return sqKhead;
    }

    /** {@code *sq.ktail} (4 bytes): published by io_uring_submit. */
    public MemorySegment sqKtail() {
        return sqKtail;
    }

    /** The CQE array, {@code cqEntries() * 16} bytes. */
    public MemorySegment cqes() {
        return cqes;
    }

    /** {@code *cq.khead} (4 bytes): advanced by {@link #forEachCqe}. */
    public MemorySegment cqKhead() {
        return cqKhead;
    }

    /** {@code *cq.ktail} (4 bytes): advanced by the kernel as it posts CQEs. */
    public MemorySegment cqKtail() {
        return cqKtail;
    }

    public int ringFd() {
        return ringFd;
    }

    /** The setup flags in effect (as liburing recorded them). */
    public int setupFlags() {
        return setupFlags;
    }

    /** {@code IORING_FEAT_*} bits the kernel reported at setup. */
    public int features() {
        return features;
    }

    public int sqEntries() {
        return sqEntries;
    }

    public int cqEntries() {
        return cqEntries;
    }

    public boolean isClosed() {
        return closed;
    }

    /**
     * io_uring_queue_exit, then frees the struct; every segment this ring handed out becomes inaccessible.
     * Idempotent. The kernel cancels in-flight requests, but asynchronously, after the fd is closed: memory
     * that such a request may still write (a pending receive's buffer) should outlive this call, or the
     * request should be cancelled and its CQE reaped first.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            Liburing.io_uring_queue_exit(ring);
        } finally {
            arena.close();
        }
    }

    // ---- helpers ---------------------------------------------------------------------------------

    private MemorySegment pointee(String member, long size) {
        MemorySegment p = (MemorySegment) ringField(member).get(ring, 0L);
        return p.reinterpret(size, arena, null);
    }

    private static long address(MemorySegment segment) {
        if (!segment.isNative()) {
            throw new IllegalArgumentException("the kernel needs native memory, not a heap segment");
        }
        return segment.address();
    }

    private static int length(MemorySegment buf) {
        long size = buf.byteSize();
        if (size > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("buffer larger than 2 GiB: " + size);
        }
        return (int) size;
    }

    private static VarHandle ringField(String member) {
        return IO_URING.varHandle(Liburing.path(IO_URING, member));
    }

    private static VarHandle paramsField(String member) {
        return IO_URING_PARAMS.varHandle(Liburing.path(IO_URING_PARAMS, member));
    }

    private static VarHandle sqeField(String member) {
        return IO_URING_SQE.varHandle(Liburing.path(IO_URING_SQE, member));
    }
}
