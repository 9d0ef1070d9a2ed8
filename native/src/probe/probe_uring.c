/*
 * <liburing.h> (liburing 2.3, with its own copy of the io_uring UAPI header): Liburing, IoUring.
 * Never include <linux/io_uring.h> here: both headers use the guard LINUX_IO_URING_H, so whichever
 * comes second silently vanishes. Constants newer than liburing's copy come from dsi_uapi_compat.h.
 */
#include <liburing.h>
#include "dsi_uapi_compat.h"
#include "probe.h"

#ifdef DSI_COMPAT_IORING_SEND_ZC_REPORT_USAGE
DSI_PROBE_ENTRY("compat:IORING_SEND_ZC_REPORT_USAGE", 1);
#endif
#ifdef DSI_COMPAT_IORING_NOTIF_USAGE_ZC_COPIED
DSI_PROBE_ENTRY("compat:IORING_NOTIF_USAGE_ZC_COPIED", 1);
#endif

#ifdef DSI_COMPAT_IORING_OP_FUTEX_WAIT
DSI_PROBE_ENTRY("compat:IORING_OP_FUTEX_WAIT", 1);
#endif
PROBE_CONST(IORING_OP_FUTEX_WAIT);

PROBE_CONST(IORING_SETUP_IOPOLL); PROBE_CONST(IORING_SETUP_SQPOLL); PROBE_CONST(IORING_SETUP_SQ_AFF);
PROBE_CONST(IORING_SETUP_CQSIZE); PROBE_CONST(IORING_SETUP_CLAMP); PROBE_CONST(IORING_SETUP_SUBMIT_ALL);
PROBE_CONST(IORING_SETUP_COOP_TASKRUN); PROBE_CONST(IORING_SETUP_TASKRUN_FLAG);
PROBE_CONST(IORING_SETUP_SQE128); PROBE_CONST(IORING_SETUP_CQE32);
PROBE_CONST(IORING_SETUP_SINGLE_ISSUER); PROBE_CONST(IORING_SETUP_DEFER_TASKRUN);

PROBE_CONST(IORING_FEAT_SINGLE_MMAP); PROBE_CONST(IORING_FEAT_NODROP); PROBE_CONST(IORING_FEAT_SUBMIT_STABLE);
PROBE_CONST(IORING_FEAT_FAST_POLL); PROBE_CONST(IORING_FEAT_EXT_ARG); PROBE_CONST(IORING_FEAT_NATIVE_WORKERS);
PROBE_CONST(IORING_FEAT_CQE_SKIP);

PROBE_CONST(IORING_OP_NOP); PROBE_CONST(IORING_OP_READV); PROBE_CONST(IORING_OP_WRITEV);
PROBE_CONST(IORING_OP_READ_FIXED); PROBE_CONST(IORING_OP_WRITE_FIXED); PROBE_CONST(IORING_OP_POLL_ADD);
PROBE_CONST(IORING_OP_SENDMSG); PROBE_CONST(IORING_OP_RECVMSG); PROBE_CONST(IORING_OP_TIMEOUT);
PROBE_CONST(IORING_OP_ACCEPT); PROBE_CONST(IORING_OP_ASYNC_CANCEL); PROBE_CONST(IORING_OP_LINK_TIMEOUT);
PROBE_CONST(IORING_OP_CONNECT); PROBE_CONST(IORING_OP_CLOSE); PROBE_CONST(IORING_OP_READ);
PROBE_CONST(IORING_OP_WRITE); PROBE_CONST(IORING_OP_SEND); PROBE_CONST(IORING_OP_RECV);
PROBE_CONST(IORING_OP_PROVIDE_BUFFERS); PROBE_CONST(IORING_OP_SHUTDOWN);
PROBE_CONST(IORING_OP_SEND_ZC); PROBE_CONST(IORING_OP_SENDMSG_ZC);

PROBE_CONST(IOSQE_FIXED_FILE); PROBE_CONST(IOSQE_IO_DRAIN); PROBE_CONST(IOSQE_IO_LINK);
PROBE_CONST(IOSQE_IO_HARDLINK); PROBE_CONST(IOSQE_ASYNC); PROBE_CONST(IOSQE_BUFFER_SELECT);
PROBE_CONST(IOSQE_CQE_SKIP_SUCCESS);

PROBE_CONST(IORING_CQE_F_BUFFER); PROBE_CONST(IORING_CQE_F_MORE); PROBE_CONST(IORING_CQE_F_SOCK_NONEMPTY);
PROBE_CONST(IORING_CQE_F_NOTIF); PROBE_CONST(IORING_CQE_BUFFER_SHIFT);

PROBE_CONST(IORING_RECVSEND_POLL_FIRST); PROBE_CONST(IORING_RECV_MULTISHOT); PROBE_CONST(IORING_RECVSEND_FIXED_BUF);
PROBE_CONST(IORING_SEND_ZC_REPORT_USAGE); PROBE_CONST(IORING_NOTIF_USAGE_ZC_COPIED);
PROBE_CONST(IORING_TIMEOUT_ABS); PROBE_CONST(IORING_ASYNC_CANCEL_ALL); PROBE_CONST(IORING_ASYNC_CANCEL_FD);
PROBE_CONST(IORING_ASYNC_CANCEL_ANY);

PROBE_CONST(IORING_ENTER_GETEVENTS); PROBE_CONST(IORING_ENTER_SQ_WAKEUP); PROBE_CONST(IORING_ENTER_SQ_WAIT);
PROBE_CONST(IORING_ENTER_EXT_ARG);
PROBE_CONST(IORING_SQ_NEED_WAKEUP); PROBE_CONST(IORING_SQ_CQ_OVERFLOW); PROBE_CONST(IORING_SQ_TASKRUN);
PROBE_CONST(IO_URING_OP_SUPPORTED);

/* liburing's user-space ring (struct io_uring and its halves) */
PROBE_SIZEOF(io_uring_sq, struct io_uring_sq);
PROBE_OFFSETOF(io_uring_sq, struct io_uring_sq, khead);
PROBE_OFFSETOF(io_uring_sq, struct io_uring_sq, ktail);
PROBE_OFFSETOF(io_uring_sq, struct io_uring_sq, kring_mask);
PROBE_OFFSETOF(io_uring_sq, struct io_uring_sq, kring_entries);
PROBE_OFFSETOF(io_uring_sq, struct io_uring_sq, kflags);
PROBE_OFFSETOF(io_uring_sq, struct io_uring_sq, kdropped);
PROBE_OFFSETOF(io_uring_sq, struct io_uring_sq, array);
PROBE_OFFSETOF(io_uring_sq, struct io_uring_sq, sqes);
PROBE_OFFSETOF(io_uring_sq, struct io_uring_sq, sqe_head);
PROBE_OFFSETOF(io_uring_sq, struct io_uring_sq, sqe_tail);
PROBE_OFFSETOF(io_uring_sq, struct io_uring_sq, ring_sz);
PROBE_OFFSETOF(io_uring_sq, struct io_uring_sq, ring_ptr);
PROBE_OFFSETOF(io_uring_sq, struct io_uring_sq, ring_mask);
PROBE_OFFSETOF(io_uring_sq, struct io_uring_sq, ring_entries);
PROBE_OFFSETOF(io_uring_sq, struct io_uring_sq, pad);

PROBE_SIZEOF(io_uring_cq, struct io_uring_cq);
PROBE_OFFSETOF(io_uring_cq, struct io_uring_cq, khead);
PROBE_OFFSETOF(io_uring_cq, struct io_uring_cq, ktail);
PROBE_OFFSETOF(io_uring_cq, struct io_uring_cq, kring_mask);
PROBE_OFFSETOF(io_uring_cq, struct io_uring_cq, kring_entries);
PROBE_OFFSETOF(io_uring_cq, struct io_uring_cq, kflags);
PROBE_OFFSETOF(io_uring_cq, struct io_uring_cq, koverflow);
PROBE_OFFSETOF(io_uring_cq, struct io_uring_cq, cqes);
PROBE_OFFSETOF(io_uring_cq, struct io_uring_cq, ring_sz);
PROBE_OFFSETOF(io_uring_cq, struct io_uring_cq, ring_ptr);
PROBE_OFFSETOF(io_uring_cq, struct io_uring_cq, ring_mask);
PROBE_OFFSETOF(io_uring_cq, struct io_uring_cq, ring_entries);
PROBE_OFFSETOF(io_uring_cq, struct io_uring_cq, pad);

#define PROBE_IO_URING_SQ(M) PROBE_OFFSETOF(io_uring, struct io_uring, sq.M)
#define PROBE_IO_URING_CQ(M) PROBE_OFFSETOF(io_uring, struct io_uring, cq.M)
PROBE_SIZEOF(io_uring, struct io_uring);
PROBE_OFFSETOF(io_uring, struct io_uring, sq);
PROBE_IO_URING_SQ(khead); PROBE_IO_URING_SQ(ktail); PROBE_IO_URING_SQ(kring_mask); PROBE_IO_URING_SQ(kring_entries);
PROBE_IO_URING_SQ(kflags); PROBE_IO_URING_SQ(kdropped); PROBE_IO_URING_SQ(array); PROBE_IO_URING_SQ(sqes);
PROBE_IO_URING_SQ(sqe_head); PROBE_IO_URING_SQ(sqe_tail); PROBE_IO_URING_SQ(ring_sz); PROBE_IO_URING_SQ(ring_ptr);
PROBE_IO_URING_SQ(ring_mask); PROBE_IO_URING_SQ(ring_entries); PROBE_IO_URING_SQ(pad);
PROBE_OFFSETOF(io_uring, struct io_uring, cq);
PROBE_IO_URING_CQ(khead); PROBE_IO_URING_CQ(ktail); PROBE_IO_URING_CQ(kring_mask); PROBE_IO_URING_CQ(kring_entries);
PROBE_IO_URING_CQ(kflags); PROBE_IO_URING_CQ(koverflow); PROBE_IO_URING_CQ(cqes); PROBE_IO_URING_CQ(ring_sz);
PROBE_IO_URING_CQ(ring_ptr); PROBE_IO_URING_CQ(ring_mask); PROBE_IO_URING_CQ(ring_entries); PROBE_IO_URING_CQ(pad);
PROBE_OFFSETOF(io_uring, struct io_uring, flags);
PROBE_OFFSETOF(io_uring, struct io_uring, ring_fd);
PROBE_OFFSETOF(io_uring, struct io_uring, features);
PROBE_OFFSETOF(io_uring, struct io_uring, enter_ring_fd);
PROBE_OFFSETOF(io_uring, struct io_uring, int_flags);
PROBE_OFFSETOF(io_uring, struct io_uring, pad);
PROBE_OFFSETOF(io_uring, struct io_uring, pad2);

/* io_uring_setup(2) parameters */
#define PROBE_SQ_OFF(M) PROBE_OFFSETOF(io_sqring_offsets, struct io_sqring_offsets, M)
#define PROBE_CQ_OFF(M) PROBE_OFFSETOF(io_cqring_offsets, struct io_cqring_offsets, M)
#define PROBE_PARAMS(M) PROBE_OFFSETOF(io_uring_params, struct io_uring_params, M)
#define PROBE_PARAMS_SQ_OFF(M) PROBE_PARAMS(sq_off.M)
#define PROBE_PARAMS_CQ_OFF(M) PROBE_PARAMS(cq_off.M)
PROBE_SIZEOF(io_sqring_offsets, struct io_sqring_offsets);
PROBE_SQ_OFF(head); PROBE_SQ_OFF(tail); PROBE_SQ_OFF(ring_mask); PROBE_SQ_OFF(ring_entries); PROBE_SQ_OFF(flags);
PROBE_SQ_OFF(dropped); PROBE_SQ_OFF(array); PROBE_SQ_OFF(resv1); PROBE_SQ_OFF(resv2);
PROBE_SIZEOF(io_cqring_offsets, struct io_cqring_offsets);
PROBE_CQ_OFF(head); PROBE_CQ_OFF(tail); PROBE_CQ_OFF(ring_mask); PROBE_CQ_OFF(ring_entries); PROBE_CQ_OFF(overflow);
PROBE_CQ_OFF(cqes); PROBE_CQ_OFF(flags); PROBE_CQ_OFF(resv1); PROBE_CQ_OFF(resv2);

PROBE_SIZEOF(io_uring_params, struct io_uring_params);
PROBE_PARAMS(sq_entries); PROBE_PARAMS(cq_entries); PROBE_PARAMS(flags); PROBE_PARAMS(sq_thread_cpu);
PROBE_PARAMS(sq_thread_idle); PROBE_PARAMS(features); PROBE_PARAMS(wq_fd); PROBE_PARAMS(resv);
PROBE_PARAMS(sq_off);
PROBE_PARAMS_SQ_OFF(head); PROBE_PARAMS_SQ_OFF(tail); PROBE_PARAMS_SQ_OFF(ring_mask);
PROBE_PARAMS_SQ_OFF(ring_entries); PROBE_PARAMS_SQ_OFF(flags); PROBE_PARAMS_SQ_OFF(dropped);
PROBE_PARAMS_SQ_OFF(array); PROBE_PARAMS_SQ_OFF(resv1); PROBE_PARAMS_SQ_OFF(resv2);
PROBE_PARAMS(cq_off);
PROBE_PARAMS_CQ_OFF(head); PROBE_PARAMS_CQ_OFF(tail); PROBE_PARAMS_CQ_OFF(ring_mask);
PROBE_PARAMS_CQ_OFF(ring_entries); PROBE_PARAMS_CQ_OFF(overflow); PROBE_PARAMS_CQ_OFF(cqes);
PROBE_PARAMS_CQ_OFF(flags); PROBE_PARAMS_CQ_OFF(resv1); PROBE_PARAMS_CQ_OFF(resv2);

/* Submission and completion entries; the aliases in the anonymous unions are probed one by one. */
#define PROBE_SQE(M) PROBE_OFFSETOF(io_uring_sqe, struct io_uring_sqe, M)
PROBE_SIZEOF(io_uring_sqe, struct io_uring_sqe);
PROBE_SQE(opcode); PROBE_SQE(flags); PROBE_SQE(ioprio); PROBE_SQE(fd);
PROBE_SQE(off); PROBE_SQE(addr2); PROBE_SQE(cmd_op);
PROBE_SQE(addr); PROBE_SQE(splice_off_in);
PROBE_SQE(len);
PROBE_SQE(rw_flags); PROBE_SQE(fsync_flags); PROBE_SQE(poll32_events); PROBE_SQE(msg_flags);
PROBE_SQE(timeout_flags); PROBE_SQE(accept_flags); PROBE_SQE(cancel_flags);
PROBE_SQE(user_data);
PROBE_SQE(buf_index); PROBE_SQE(buf_group);
PROBE_SQE(personality);
PROBE_SQE(splice_fd_in); PROBE_SQE(file_index); PROBE_SQE(addr_len);
PROBE_SQE(addr3);

PROBE_SIZEOF(io_uring_cqe, struct io_uring_cqe);
PROBE_OFFSETOF(io_uring_cqe, struct io_uring_cqe, user_data);
PROBE_OFFSETOF(io_uring_cqe, struct io_uring_cqe, res);
PROBE_OFFSETOF(io_uring_cqe, struct io_uring_cqe, flags);

/* Provided-buffer rings (IORING_REGISTER_PBUF_RING, Linux 5.19) */
PROBE_SIZEOF(io_uring_buf, struct io_uring_buf);
PROBE_OFFSETOF(io_uring_buf, struct io_uring_buf, addr);
PROBE_OFFSETOF(io_uring_buf, struct io_uring_buf, len);
PROBE_OFFSETOF(io_uring_buf, struct io_uring_buf, bid);
PROBE_OFFSETOF(io_uring_buf, struct io_uring_buf, resv);

PROBE_SIZEOF(io_uring_buf_ring, struct io_uring_buf_ring);
PROBE_OFFSETOF(io_uring_buf_ring, struct io_uring_buf_ring, tail);
PROBE_OFFSETOF(io_uring_buf_ring, struct io_uring_buf_ring, bufs);

PROBE_SIZEOF(io_uring_buf_reg, struct io_uring_buf_reg);
PROBE_OFFSETOF(io_uring_buf_reg, struct io_uring_buf_reg, ring_addr);
PROBE_OFFSETOF(io_uring_buf_reg, struct io_uring_buf_reg, ring_entries);
PROBE_OFFSETOF(io_uring_buf_reg, struct io_uring_buf_reg, bgid);
PROBE_OFFSETOF(io_uring_buf_reg, struct io_uring_buf_reg, pad);
PROBE_OFFSETOF(io_uring_buf_reg, struct io_uring_buf_reg, resv);

PROBE_SIZEOF(io_uring_recvmsg_out, struct io_uring_recvmsg_out);
PROBE_OFFSETOF(io_uring_recvmsg_out, struct io_uring_recvmsg_out, namelen);
PROBE_OFFSETOF(io_uring_recvmsg_out, struct io_uring_recvmsg_out, controllen);
PROBE_OFFSETOF(io_uring_recvmsg_out, struct io_uring_recvmsg_out, payloadlen);
PROBE_OFFSETOF(io_uring_recvmsg_out, struct io_uring_recvmsg_out, flags);

PROBE_SIZEOF(io_uring_probe, struct io_uring_probe);
PROBE_OFFSETOF(io_uring_probe, struct io_uring_probe, last_op);
PROBE_OFFSETOF(io_uring_probe, struct io_uring_probe, ops_len);
PROBE_OFFSETOF(io_uring_probe, struct io_uring_probe, resv);
PROBE_OFFSETOF(io_uring_probe, struct io_uring_probe, resv2);
PROBE_OFFSETOF(io_uring_probe, struct io_uring_probe, ops);

PROBE_SIZEOF(io_uring_probe_op, struct io_uring_probe_op);
PROBE_OFFSETOF(io_uring_probe_op, struct io_uring_probe_op, op);
PROBE_OFFSETOF(io_uring_probe_op, struct io_uring_probe_op, resv);
PROBE_OFFSETOF(io_uring_probe_op, struct io_uring_probe_op, flags);
PROBE_OFFSETOF(io_uring_probe_op, struct io_uring_probe_op, resv2);

PROBE_SIZEOF(__kernel_timespec, struct __kernel_timespec);
PROBE_OFFSETOF(__kernel_timespec, struct __kernel_timespec, tv_sec);
PROBE_OFFSETOF(__kernel_timespec, struct __kernel_timespec, tv_nsec);
