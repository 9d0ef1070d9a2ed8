package io.dsipanama.ffm;

import java.lang.foreign.AddressLayout;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.List;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * {@code <liburing.h>} (liburing 2.3, linked statically into the shim, and its copy of the io_uring UAPI
 * header): io_uring_setup(2), io_uring_enter(2), io_uring_register(2), io_uring_queue_init_params(3),
 * io_uring_submit(3), io_uring_submit_and_wait_timeout(3), io_uring_register_buffers(3),
 * io_uring_register_buf_ring(3), io_uring_get_probe_ring(3).
 *
 * <p>Only liburing's exported functions are bound; its {@code static inline} helpers (get_sqe, the
 * {@code prep_*} family, peek/advance of the CQ) are re-implemented in Java by {@link IoUring}. Every
 * function here returns {@code -errno} itself (no errno capture). Expected results come back as
 * {@code -errno} and are documented per method; anything else throws {@link ErrnoException}.
 *
 * <p>Minimum kernels: io_uring 5.1; {@code IORING_FEAT_EXT_ARG} (timeouts without a timeout SQE) 5.11;
 * {@code CQE_SKIP_SUCCESS} 5.17; multishot recv/recvmsg and provided-buffer rings 6.0 (buf rings 5.19);
 * {@code SEND_ZC}/{@code SENDMSG_ZC}, {@code SINGLE_ISSUER} 6.0/6.1; {@code DEFER_TASKRUN} 6.1;
 * {@code IORING_SEND_ZC_REPORT_USAGE} 6.2 (from {@code native/include/dsi_uapi_compat.h}, liburing 2.3's
 * header predates it). The project's floor is 6.1.
 *
 * <p>{@link #IO_URING_SQE}'s anonymous unions are modelled as unnamed {@link java.lang.foreign.UnionLayout}s
 * holding the aliases we use, each probed: {@code off}/{@code addr2}/{@code cmd_op};
 * {@code addr}/{@code splice_off_in}; {@code rw_flags}/{@code fsync_flags}/{@code poll32_events}/
 * {@code msg_flags}/{@code timeout_flags}/{@code accept_flags}/{@code cancel_flags} (C has more aliases
 * of that 32-bit word: {@code open_flags}, {@code statx_flags}, {@code splice_flags}...);
 * {@code buf_index}/{@code buf_group}; {@code splice_fd_in}/{@code file_index}/{@code addr_len}.
 */
@SuppressWarnings("restricted")
public final class Liburing {
    // io_uring_setup(2) flags
    public static final int IORING_SETUP_IOPOLL = 1 << 0;
    public static final int IORING_SETUP_SQPOLL = 1 << 1;
    public static final int IORING_SETUP_SQ_AFF = 1 << 2;
    public static final int IORING_SETUP_CQSIZE = 1 << 3;
    public static final int IORING_SETUP_CLAMP = 1 << 4;
    public static final int IORING_SETUP_SUBMIT_ALL = 1 << 7;
    public static final int IORING_SETUP_COOP_TASKRUN = 1 << 8;
    public static final int IORING_SETUP_TASKRUN_FLAG = 1 << 9;
    /** 128-byte SQEs; {@link IoUring} refuses it (its SQE stride is 64). */
    public static final int IORING_SETUP_SQE128 = 1 << 10;
    /** 32-byte CQEs; {@link IoUring} refuses it (its CQE stride is 16). */
    public static final int IORING_SETUP_CQE32 = 1 << 11;
    public static final int IORING_SETUP_SINGLE_ISSUER = 1 << 12;
    public static final int IORING_SETUP_DEFER_TASKRUN = 1 << 13;

    // io_uring_params.features
    public static final int IORING_FEAT_SINGLE_MMAP = 1 << 0;
    public static final int IORING_FEAT_NODROP = 1 << 1;
    public static final int IORING_FEAT_SUBMIT_STABLE = 1 << 2;
    public static final int IORING_FEAT_FAST_POLL = 1 << 5;
    public static final int IORING_FEAT_EXT_ARG = 1 << 8;
    public static final int IORING_FEAT_NATIVE_WORKERS = 1 << 9;
    public static final int IORING_FEAT_CQE_SKIP = 1 << 11;

    // enum io_uring_op
    public static final int IORING_OP_NOP = 0;
    public static final int IORING_OP_READV = 1;
    public static final int IORING_OP_WRITEV = 2;
    public static final int IORING_OP_READ_FIXED = 4;
    public static final int IORING_OP_WRITE_FIXED = 5;
    public static final int IORING_OP_POLL_ADD = 6;
    public static final int IORING_OP_SENDMSG = 9;
    public static final int IORING_OP_RECVMSG = 10;
    public static final int IORING_OP_TIMEOUT = 11;
    public static final int IORING_OP_ACCEPT = 13;
    public static final int IORING_OP_ASYNC_CANCEL = 14;
    public static final int IORING_OP_LINK_TIMEOUT = 15;
    public static final int IORING_OP_CONNECT = 16;
    public static final int IORING_OP_CLOSE = 19;
    public static final int IORING_OP_READ = 22;
    public static final int IORING_OP_WRITE = 23;
    public static final int IORING_OP_SEND = 26;
    public static final int IORING_OP_RECV = 27;
    public static final int IORING_OP_PROVIDE_BUFFERS = 31;
    public static final int IORING_OP_SHUTDOWN = 34;
    public static final int IORING_OP_SEND_ZC = 47;
    public static final int IORING_OP_SENDMSG_ZC = 48;
    /** Linux 6.7 (an enum member newer than liburing 2.3's header: pinned in dsi_uapi_compat.h). */
    public static final int IORING_OP_FUTEX_WAIT = 51;

    // io_uring_sqe.flags
    public static final int IOSQE_FIXED_FILE = 1 << 0;
    public static final int IOSQE_IO_DRAIN = 1 << 1;
    public static final int IOSQE_IO_LINK = 1 << 2;
    public static final int IOSQE_IO_HARDLINK = 1 << 3;
    public static final int IOSQE_ASYNC = 1 << 4;
    public static final int IOSQE_BUFFER_SELECT = 1 << 5;
    public static final int IOSQE_CQE_SKIP_SUCCESS = 1 << 6;

    // io_uring_cqe.flags
    /** The upper 16 bits of {@code flags} are the id of the provided buffer used. */
    public static final int IORING_CQE_F_BUFFER = 1 << 0;
    /** The request stays armed: more CQEs with this user_data follow (multishot, zero-copy send). */
    public static final int IORING_CQE_F_MORE = 1 << 1;
    public static final int IORING_CQE_F_SOCK_NONEMPTY = 1 << 2;
    /** A zero-copy send's notification: the kernel no longer references the buffer. */
    public static final int IORING_CQE_F_NOTIF = 1 << 3;
    public static final int IORING_CQE_BUFFER_SHIFT = 16;

    // send/recv flags, in io_uring_sqe.ioprio
    public static final int IORING_RECVSEND_POLL_FIRST = 1 << 0;
    public static final int IORING_RECV_MULTISHOT = 1 << 1;
    public static final int IORING_RECVSEND_FIXED_BUF = 1 << 2;
    /** Linux 6.2: the notification's {@code res} reports whether the data was copied after all. */
    public static final int IORING_SEND_ZC_REPORT_USAGE = 1 << 3;
    /** In a notification's {@code res} with {@link #IORING_SEND_ZC_REPORT_USAGE}: the kernel copied. */
    public static final int IORING_NOTIF_USAGE_ZC_COPIED = 1 << 31;

    public static final int IORING_TIMEOUT_ABS = 1 << 0;
    public static final int IORING_ASYNC_CANCEL_ALL = 1 << 0;
    public static final int IORING_ASYNC_CANCEL_FD = 1 << 1;
    public static final int IORING_ASYNC_CANCEL_ANY = 1 << 2;

    // io_uring_enter(2) flags and the SQ ring's flags word
    public static final int IORING_ENTER_GETEVENTS = 1 << 0;
    public static final int IORING_ENTER_SQ_WAKEUP = 1 << 1;
    public static final int IORING_ENTER_SQ_WAIT = 1 << 2;
    public static final int IORING_ENTER_EXT_ARG = 1 << 3;
    public static final int IORING_SQ_NEED_WAKEUP = 1 << 0;
    public static final int IORING_SQ_CQ_OVERFLOW = 1 << 1;
    public static final int IORING_SQ_TASKRUN = 1 << 2;

    /** In {@code io_uring_probe_op.flags}: the opcode is supported. */
    public static final int IO_URING_OP_SUPPORTED = 1 << 0;

    /** Pointers of liburing's structs; their targets are sized where they are read. */
    private static final AddressLayout PTR = ADDRESS;

    /**
     * liburing's {@code struct io_uring_sq}: user-space view of the submission ring. The {@code k*} members
     * point into the mapping shared with the kernel; {@code sqe_head}/{@code sqe_tail} are liburing's own
     * counters ({@code sqe_tail} is where the next SQE goes; io_uring_submit publishes it to {@code *ktail}).
     */
    public static final StructLayout IO_URING_SQ = MemoryLayout.structLayout(
            PTR.withName("khead"),
            PTR.withName("ktail"),
            PTR.withName("kring_mask"),
            PTR.withName("kring_entries"),
            PTR.withName("kflags"),
            PTR.withName("kdropped"),
            PTR.withName("array"),
            PTR.withName("sqes"),
            JAVA_INT.withName("sqe_head"),
            JAVA_INT.withName("sqe_tail"),
            JAVA_LONG.withName("ring_sz"),
            PTR.withName("ring_ptr"),
            JAVA_INT.withName("ring_mask"),
            JAVA_INT.withName("ring_entries"),
            MemoryLayout.sequenceLayout(2, JAVA_INT).withName("pad")).withName("io_uring_sq");

    /** liburing's {@code struct io_uring_cq}: user-space view of the completion ring. */
    public static final StructLayout IO_URING_CQ = MemoryLayout.structLayout(
            PTR.withName("khead"),
            PTR.withName("ktail"),
            PTR.withName("kring_mask"),
            PTR.withName("kring_entries"),
            PTR.withName("kflags"),
            PTR.withName("koverflow"),
            PTR.withName("cqes"),
            JAVA_LONG.withName("ring_sz"),
            PTR.withName("ring_ptr"),
            JAVA_INT.withName("ring_mask"),
            JAVA_INT.withName("ring_entries"),
            MemoryLayout.sequenceLayout(2, JAVA_INT).withName("pad")).withName("io_uring_cq");

    /** liburing's {@code struct io_uring}, which every liburing function takes. */
    public static final StructLayout IO_URING = MemoryLayout.structLayout(
            IO_URING_SQ.withName("sq"),
            IO_URING_CQ.withName("cq"),
            JAVA_INT.withName("flags"),
            JAVA_INT.withName("ring_fd"),
            JAVA_INT.withName("features"),
            JAVA_INT.withName("enter_ring_fd"),
            JAVA_BYTE.withName("int_flags"),
            MemoryLayout.sequenceLayout(3, JAVA_BYTE).withName("pad"),
            JAVA_INT.withName("pad2")).withName("io_uring");

    public static final StructLayout IO_SQRING_OFFSETS = MemoryLayout.structLayout(
            JAVA_INT.withName("head"),
            JAVA_INT.withName("tail"),
            JAVA_INT.withName("ring_mask"),
            JAVA_INT.withName("ring_entries"),
            JAVA_INT.withName("flags"),
            JAVA_INT.withName("dropped"),
            JAVA_INT.withName("array"),
            JAVA_INT.withName("resv1"),
            JAVA_LONG.withName("resv2")).withName("io_sqring_offsets");

    public static final StructLayout IO_CQRING_OFFSETS = MemoryLayout.structLayout(
            JAVA_INT.withName("head"),
            JAVA_INT.withName("tail"),
            JAVA_INT.withName("ring_mask"),
            JAVA_INT.withName("ring_entries"),
            JAVA_INT.withName("overflow"),
            JAVA_INT.withName("cqes"),
            JAVA_INT.withName("flags"),
            JAVA_INT.withName("resv1"),
            JAVA_LONG.withName("resv2")).withName("io_cqring_offsets");

    /** {@code struct io_uring_params}: in and out argument of io_uring_setup(2). */
    public static final StructLayout IO_URING_PARAMS = MemoryLayout.structLayout(
            JAVA_INT.withName("sq_entries"),
            JAVA_INT.withName("cq_entries"),
            JAVA_INT.withName("flags"),
            JAVA_INT.withName("sq_thread_cpu"),
            JAVA_INT.withName("sq_thread_idle"),
            JAVA_INT.withName("features"),
            JAVA_INT.withName("wq_fd"),
            MemoryLayout.sequenceLayout(3, JAVA_INT).withName("resv"),
            IO_SQRING_OFFSETS.withName("sq_off"),
            IO_CQRING_OFFSETS.withName("cq_off")).withName("io_uring_params");

    /** {@code struct io_uring_sqe}, 64 bytes (no {@code SQE128}); see the class comment for the unions. */
    public static final StructLayout IO_URING_SQE = MemoryLayout.structLayout(
            JAVA_BYTE.withName("opcode"),
            JAVA_BYTE.withName("flags"),
            JAVA_SHORT.withName("ioprio"),
            JAVA_INT.withName("fd"),
            MemoryLayout.unionLayout(
                    JAVA_LONG.withName("off"),
                    JAVA_LONG.withName("addr2"),
                    MemoryLayout.structLayout(JAVA_INT.withName("cmd_op"), MemoryLayout.paddingLayout(4))),
            MemoryLayout.unionLayout(
                    JAVA_LONG.withName("addr"),
                    JAVA_LONG.withName("splice_off_in")),
            JAVA_INT.withName("len"),
            MemoryLayout.unionLayout(
                    JAVA_INT.withName("rw_flags"),
                    JAVA_INT.withName("fsync_flags"),
                    JAVA_INT.withName("poll32_events"),
                    JAVA_INT.withName("msg_flags"),
                    JAVA_INT.withName("timeout_flags"),
                    JAVA_INT.withName("accept_flags"),
                    JAVA_INT.withName("cancel_flags")),
            JAVA_LONG.withName("user_data"),
            MemoryLayout.unionLayout(
                    JAVA_SHORT.withName("buf_index"),
                    JAVA_SHORT.withName("buf_group")),
            JAVA_SHORT.withName("personality"),
            MemoryLayout.unionLayout(
                    JAVA_INT.withName("splice_fd_in"),
                    JAVA_INT.withName("file_index"),
                    MemoryLayout.structLayout(JAVA_SHORT.withName("addr_len"), MemoryLayout.paddingLayout(2))),
            JAVA_LONG.withName("addr3"),
            MemoryLayout.paddingLayout(8)).withName("io_uring_sqe");

    /** {@code struct io_uring_cqe}, 16 bytes (no {@code CQE32}, so no {@code big_cqe}). */
    public static final StructLayout IO_URING_CQE = MemoryLayout.structLayout(
            JAVA_LONG.withName("user_data"),
            JAVA_INT.withName("res"),
            JAVA_INT.withName("flags")).withName("io_uring_cqe");

    /** {@code struct io_uring_buf}: one entry of a provided-buffer ring. */
    public static final StructLayout IO_URING_BUF = MemoryLayout.structLayout(
            JAVA_LONG.withName("addr"),
            JAVA_INT.withName("len"),
            JAVA_SHORT.withName("bid"),
            JAVA_SHORT.withName("resv")).withName("io_uring_buf");

    /**
     * {@code struct io_uring_buf_ring}: the header of a provided-buffer ring, which is also its first entry.
     * In C a union overlays {@code {resv1, resv2, resv3, tail}} on {@code bufs[0]}, so {@code tail} (16
     * bits, written by the application with release semantics) lives in {@code bufs[0].resv}, a field the
     * kernel never reads. The ring is {@code ring_entries} x {@link #IO_URING_BUF}, the first one included.
     */
    public static final StructLayout IO_URING_BUF_RING = MemoryLayout.structLayout(
            MemoryLayout.unionLayout(
                    MemoryLayout.structLayout(
                            MemoryLayout.paddingLayout(14), // resv1, resv2, resv3 = bufs[0].addr, len, bid
                            JAVA_SHORT.withName("tail")),
                    MemoryLayout.sequenceLayout(0, IO_URING_BUF).withName("bufs"))).withName("io_uring_buf_ring");

    /** {@code struct io_uring_buf_reg}: argument of io_uring_register_buf_ring. */
    public static final StructLayout IO_URING_BUF_REG = MemoryLayout.structLayout(
            JAVA_LONG.withName("ring_addr"),
            JAVA_INT.withName("ring_entries"),
            JAVA_SHORT.withName("bgid"),
            JAVA_SHORT.withName("pad"),
            MemoryLayout.sequenceLayout(3, JAVA_LONG).withName("resv")).withName("io_uring_buf_reg");

    /**
     * {@code struct io_uring_recvmsg_out}: what a multishot RECVMSG writes at the start of the provided
     * buffer, followed by {@code msg_namelen} bytes of name, {@code msg_controllen} of control, then payload.
     */
    public static final StructLayout IO_URING_RECVMSG_OUT = MemoryLayout.structLayout(
            JAVA_INT.withName("namelen"),
            JAVA_INT.withName("controllen"),
            JAVA_INT.withName("payloadlen"),
            JAVA_INT.withName("flags")).withName("io_uring_recvmsg_out");

    public static final StructLayout IO_URING_PROBE_OP = MemoryLayout.structLayout(
            JAVA_BYTE.withName("op"),
            JAVA_BYTE.withName("resv"),
            JAVA_SHORT.withName("flags"),
            JAVA_INT.withName("resv2")).withName("io_uring_probe_op");

    /** {@code struct io_uring_probe}; {@code ops_len} entries of {@link #IO_URING_PROBE_OP} follow. */
    public static final StructLayout IO_URING_PROBE = MemoryLayout.structLayout(
            JAVA_BYTE.withName("last_op"),
            JAVA_BYTE.withName("ops_len"),
            JAVA_SHORT.withName("resv"),
            MemoryLayout.sequenceLayout(3, JAVA_INT).withName("resv2"),
            MemoryLayout.sequenceLayout(0, IO_URING_PROBE_OP).withName("ops")).withName("io_uring_probe");

    /** {@code struct __kernel_timespec} (64-bit seconds on every ABI). */
    public static final StructLayout KERNEL_TIMESPEC = MemoryLayout.structLayout(
            JAVA_LONG.withName("tv_sec"),
            JAVA_LONG.withName("tv_nsec")).withName("__kernel_timespec");

    private static final MethodHandle QUEUE_INIT_PARAMS = Native.shim("io_uring_queue_init_params",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle QUEUE_EXIT = Native.shim("io_uring_queue_exit",
            FunctionDescriptor.ofVoid(ADDRESS));
    private static final MethodHandle SUBMIT = Native.shim("io_uring_submit",
            FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle SUBMIT_AND_WAIT = Native.shim("io_uring_submit_and_wait",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle SUBMIT_AND_WAIT_TIMEOUT = Native.shim("io_uring_submit_and_wait_timeout",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle GET_EVENTS = Native.shim("io_uring_get_events",
            FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle SUBMIT_AND_GET_EVENTS = Native.shim("io_uring_submit_and_get_events",
            FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle REGISTER_BUFFERS = Native.shim("io_uring_register_buffers",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
    private static final MethodHandle UNREGISTER_BUFFERS = Native.shim("io_uring_unregister_buffers",
            FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle REGISTER_FILES = Native.shim("io_uring_register_files",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
    private static final MethodHandle UNREGISTER_FILES = Native.shim("io_uring_unregister_files",
            FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle REGISTER_BUF_RING = Native.shim("io_uring_register_buf_ring",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
    private static final MethodHandle UNREGISTER_BUF_RING = Native.shim("io_uring_unregister_buf_ring",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle REGISTER_EVENTFD = Native.shim("io_uring_register_eventfd",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle REGISTER_EVENTFD_ASYNC = Native.shim("io_uring_register_eventfd_async",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle UNREGISTER_EVENTFD = Native.shim("io_uring_unregister_eventfd",
            FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle GET_PROBE_RING = Native.shim("io_uring_get_probe_ring",
            FunctionDescriptor.of(ADDRESS, ADDRESS));
    private static final MethodHandle FREE_PROBE = Native.shim("io_uring_free_probe",
            FunctionDescriptor.ofVoid(ADDRESS));

    private Liburing() {
    }

    /**
     * io_uring_queue_init_params(3): io_uring_setup(2), then maps the rings into {@code ring} (a zeroed
     * {@link #IO_URING}). {@code params} ({@link #IO_URING_PARAMS}) carries the flags in and the sizes
     * and features out. liburing 2.3 fills {@code sq.array} with 0..n-1 here, so SQ slot i always means
     * SQE i. Throws on any failure (EINVAL for flags this kernel lacks, EPERM where io_uring is disabled,
     * ENOMEM past RLIMIT_MEMLOCK on kernels before 5.12).
     */
    public static void io_uring_queue_init_params(int entries, MemorySegment ring, MemorySegment params) {
        int rc;
        try {
            rc = (int) QUEUE_INIT_PARAMS.invokeExact(entries, ring, params);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
        if (rc < 0) {
            throw ErrnoException.of("io_uring_queue_init_params", -rc, "entries", entries,
                    "flags", params.get(JAVA_INT, IO_URING_PARAMS.byteOffset(PathElement.groupElement("flags"))));
        }
    }

    /** io_uring_queue_exit(3): unmaps the rings and closes the ring fd (cancelling what is in flight). */
    public static void io_uring_queue_exit(MemorySegment ring) {
        try {
            QUEUE_EXIT.invokeExact(ring);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /**
     * io_uring_submit(3): publishes {@code sq.sqe_tail} to the kernel's SQ tail and calls io_uring_enter(2)
     * if needed. Returns the number of SQEs submitted, or {@code -EAGAIN} (out of resources, try again),
     * {@code -EBUSY} (completions must be reaped first) or {@code -EINTR}.
     */
    public static int io_uring_submit(MemorySegment ring) {
        int rc;
        try {
            rc = (int) SUBMIT.invokeExact(ring);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
        return rc >= 0 ? rc : enterResult("io_uring_submit", rc, ring);
    }

    /** io_uring_submit_and_wait(3): as {@link #io_uring_submit}, then waits for {@code waitNr} completions. */
    public static int io_uring_submit_and_wait(MemorySegment ring, int waitNr) {
        int rc;
        try {
            rc = (int) SUBMIT_AND_WAIT.invokeExact(ring, waitNr);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
        return rc >= 0 ? rc : enterResult("io_uring_submit_and_wait", rc, ring);
    }

    /**
     * io_uring_submit_and_wait_timeout(3): submits, then waits up to {@code ts} ({@link #KERNEL_TIMESPEC},
     * relative) for {@code waitNr} completions; {@code cqePtr} (8 bytes) receives a pointer to the first
     * CQE (not consumed). {@code sigmask} may be NULL. liburing 2.3's result (its {@code _io_uring_get_cqe}):
     * the number of SQEs the call submitted, if it submitted any, <em>even when the wait then timed out</em>;
     * otherwise 0 when a completion is ready or {@code -ETIME} on timeout; or {@code -EAGAIN},
     * {@code -EBUSY}, {@code -EINTR}. So a positive result says nothing about completions: look at the CQ.
     * Relies on {@code IORING_FEAT_EXT_ARG} (5.11): without it liburing would queue an internal timeout SQE
     * whose CQE (user_data -1) a Java reaper would see.
     */
    public static int io_uring_submit_and_wait_timeout(MemorySegment ring, MemorySegment cqePtr, int waitNr,
                                                       MemorySegment ts, MemorySegment sigmask) {
        int rc;
        try {
            rc = (int) SUBMIT_AND_WAIT_TIMEOUT.invokeExact(ring, cqePtr, waitNr, ts, sigmask);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
        if (rc == -Errno.ETIME) {
            return rc;
        }
        return rc >= 0 ? rc : enterResult("io_uring_submit_and_wait_timeout", rc, ring);
    }

    /**
     * io_uring_get_events(3): enters the kernel only to run pending task work and flush completions
     * (what a {@code DEFER_TASKRUN} ring needs before its CQ can be read). Same return values as submit.
     */
    public static int io_uring_get_events(MemorySegment ring) {
        int rc;
        try {
            rc = (int) GET_EVENTS.invokeExact(ring);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
        return rc >= 0 ? rc : enterResult("io_uring_get_events", rc, ring);
    }

    /**
     * io_uring_submit_and_get_events(3): submits and runs pending task work in one io_uring_enter (no
     * wait), so a {@code DEFER_TASKRUN} ring's completions are posted by the same call. Same return values
     * as submit.
     */
    public static int io_uring_submit_and_get_events(MemorySegment ring) {
        int rc;
        try {
            rc = (int) SUBMIT_AND_GET_EVENTS.invokeExact(ring);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
        return rc >= 0 ? rc : enterResult("io_uring_submit_and_get_events", rc, ring);
    }

    /**
     * io_uring_register_buffers(3): pins {@code nr} buffers ({@link Socket#IOVEC} array) as fixed buffers
     * 0..nr-1. Fails with ENOMEM past RLIMIT_MEMLOCK, EBUSY if buffers are already registered.
     */
    public static void io_uring_register_buffers(MemorySegment ring, MemorySegment iovecs, int nr) {
        int rc;
        try {
            rc = (int) REGISTER_BUFFERS.invokeExact(ring, iovecs, nr);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
        if (rc < 0) {
            throw ErrnoException.of("io_uring_register_buffers", -rc, "ring_fd", ringFd(ring), "nr", nr);
        }
    }

    /** io_uring_unregister_buffers(3). */
    public static void io_uring_unregister_buffers(MemorySegment ring) {
        int rc;
        try {
            rc = (int) UNREGISTER_BUFFERS.invokeExact(ring);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
        if (rc < 0) {
            throw ErrnoException.of("io_uring_unregister_buffers", -rc, "ring_fd", ringFd(ring));
        }
    }

    /** io_uring_register_files(3): {@code nr} ints at {@code fds} become fixed files 0..nr-1. */
    public static void io_uring_register_files(MemorySegment ring, MemorySegment fds, int nr) {
        int rc;
        try {
            rc = (int) REGISTER_FILES.invokeExact(ring, fds, nr);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
        if (rc < 0) {
            throw ErrnoException.of("io_uring_register_files", -rc, "ring_fd", ringFd(ring), "nr", nr);
        }
    }

    /** io_uring_unregister_files(3). */
    public static void io_uring_unregister_files(MemorySegment ring) {
        int rc;
        try {
            rc = (int) UNREGISTER_FILES.invokeExact(ring);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
        if (rc < 0) {
            throw ErrnoException.of("io_uring_unregister_files", -rc, "ring_fd", ringFd(ring));
        }
    }

    /**
     * io_uring_register_buf_ring(3) (Linux 5.19): registers the provided-buffer ring described by
     * {@code reg} ({@link #IO_URING_BUF_REG}; page-aligned ring, power-of-two entries) as group
     * {@code bgid}. {@code flags} must be 0 with liburing 2.3. Throws on failure (EEXIST: group in use,
     * EINVAL: bad size or alignment).
     */
    public static void io_uring_register_buf_ring(MemorySegment ring, MemorySegment reg, int flags) {
        int rc;
        try {
            rc = (int) REGISTER_BUF_RING.invokeExact(ring, reg, flags);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
        if (rc < 0) {
            throw ErrnoException.of("io_uring_register_buf_ring", -rc, "ring_fd", ringFd(ring), "flags", flags);
        }
    }

    /** io_uring_unregister_buf_ring(3). */
    public static void io_uring_unregister_buf_ring(MemorySegment ring, int bgid) {
        int rc;
        try {
            rc = (int) UNREGISTER_BUF_RING.invokeExact(ring, bgid);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
        if (rc < 0) {
            throw ErrnoException.of("io_uring_unregister_buf_ring", -rc, "ring_fd", ringFd(ring), "bgid", bgid);
        }
    }

    /**
     * io_uring_register_eventfd(3) (IORING_REGISTER_EVENTFD): the kernel adds 1 to {@code eventfd} when it posts
     * completions and, on a {@code DEFER_TASKRUN} ring, when it queues the first deferred task work of an empty
     * list (so the eventfd says "enter the kernel" before the CQE exists). With {@code SINGLE_ISSUER} only the
     * submitter task may register (EEXIST otherwise). Throws on failure (EBUSY: one is registered already).
     */
    public static void io_uring_register_eventfd(MemorySegment ring, int eventfd) {
        registerEventfd(REGISTER_EVENTFD, "io_uring_register_eventfd", ring, eventfd);
    }

    /**
     * io_uring_register_eventfd_async(3) (IORING_REGISTER_EVENTFD_ASYNC): as {@link #io_uring_register_eventfd},
     * but the kernel signals only for completions posted from an io-wq worker; socket completions, which come
     * from poll wake-ups and task work, never signal it.
     */
    public static void io_uring_register_eventfd_async(MemorySegment ring, int eventfd) {
        registerEventfd(REGISTER_EVENTFD_ASYNC, "io_uring_register_eventfd_async", ring, eventfd);
    }

    private static void registerEventfd(MethodHandle handle, String call, MemorySegment ring, int eventfd) {
        int rc;
        try {
            rc = (int) handle.invokeExact(ring, eventfd);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
        if (rc < 0) {
            throw ErrnoException.of(call, -rc, "ring_fd", ringFd(ring), "eventfd", eventfd);
        }
    }

    /** io_uring_unregister_eventfd(3). Throws on failure (ENXIO: none registered). */
    public static void io_uring_unregister_eventfd(MemorySegment ring) {
        int rc;
        try {
            rc = (int) UNREGISTER_EVENTFD.invokeExact(ring);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
        if (rc < 0) {
            throw ErrnoException.of("io_uring_unregister_eventfd", -rc, "ring_fd", ringFd(ring));
        }
    }

    /**
     * io_uring_get_probe_ring(3): the opcodes this kernel supports, in a malloc'd {@link #IO_URING_PROBE}
     * (returned as a zero-length segment; free it with {@link #io_uring_free_probe}), or
     * {@link MemorySegment#NULL} when the kernel cannot be probed (before 5.6).
     */
    public static MemorySegment io_uring_get_probe_ring(MemorySegment ring) {
        try {
            return (MemorySegment) GET_PROBE_RING.invokeExact(ring);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /** io_uring_free_probe(3). */
    public static void io_uring_free_probe(MemorySegment probe) {
        try {
            FREE_PROBE.invokeExact(probe);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    private static int enterResult(String call, int rc, MemorySegment ring) {
        if (rc == -Errno.EAGAIN || rc == -Errno.EBUSY || rc == -Errno.EINTR) {
            return rc;
        }
        throw ErrnoException.of(call, -rc, "ring_fd", ringFd(ring));
    }

    private static int ringFd(MemorySegment ring) {
        return ring.get(JAVA_INT, IO_URING.byteOffset(PathElement.groupElement("ring_fd")));
    }

    /**
     * The layout path to a member named by dots ({@code "sq.khead"}), looking through anonymous unions and
     * structs the way C does, so offsets of union aliases derive from the layout like any other.
     */
    static PathElement[] path(GroupLayout root, String dotted) {
        List<PathElement> path = new ArrayList<>();
        GroupLayout group = root;
        String[] names = dotted.split("\\.");
        for (int i = 0; i < names.length; i++) {
            MemoryLayout member = find(group, names[i], path);
            if (member == null) {
                throw new IllegalArgumentException(root.name().orElse("?") + " has no member " + dotted);
            }
            if (i + 1 < names.length) {
                group = (GroupLayout) member;
            }
        }
        return path.toArray(PathElement[]::new);
    }

    private static MemoryLayout find(GroupLayout group, String name, List<PathElement> path) {
        List<MemoryLayout> members = group.memberLayouts();
        for (int i = 0; i < members.size(); i++) {
            MemoryLayout m = members.get(i);
            if (m.name().filter(name::equals).isPresent()) {
                path.add(PathElement.groupElement(name));
                return m;
            }
            if (m.name().isEmpty() && m instanceof GroupLayout anonymous) {
                path.add(PathElement.groupElement(i));
                MemoryLayout found = find(anonymous, name, path);
                if (found != null) {
                    return found;
                }
                path.removeLast();
            }
        }
        return null;
    }
}
