/*
 * Kernel UAPI constants newer than the headers some build machines have (Debian 12 ships Linux 6.1
 * UAPI headers and liburing 2.3). Each value is pinned to the kernel release that introduced it and is
 * only defined when the system header lacks it; the layout probe reports which constants came from here.
 */
#ifndef DSI_UAPI_COMPAT_H
#define DSI_UAPI_COMPAT_H

/* include/uapi/linux/io_uring.h, Linux 6.2 */
#ifndef IORING_SEND_ZC_REPORT_USAGE
#define IORING_SEND_ZC_REPORT_USAGE (1U << 3)
#define DSI_COMPAT_IORING_SEND_ZC_REPORT_USAGE 1
#endif
#ifndef IORING_NOTIF_USAGE_ZC_COPIED
#define IORING_NOTIF_USAGE_ZC_COPIED (1U << 31)
#define DSI_COMPAT_IORING_NOTIF_USAGE_ZC_COPIED 1
#endif

/* include/uapi/linux/userfaultfd.h, Linux 6.4 (the 6.1 headers lack it) */
#ifndef UFFD_FEATURE_WP_UNPOPULATED
#define UFFD_FEATURE_WP_UNPOPULATED (1 << 13)
#define DSI_COMPAT_UFFD_FEATURE_WP_UNPOPULATED 1
#endif

/* include/uapi/linux/mman.h / asm-generic/mman-common.h, Linux 5.14 */
#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22
#define DSI_COMPAT_MADV_POPULATE_READ 1
#endif
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#define DSI_COMPAT_MADV_POPULATE_WRITE 1
#endif

/* include/uapi/linux/futex.h, Linux 6.7 (futex2 flags, used by IORING_OP_FUTEX_WAIT) */
#ifndef FUTEX2_SIZE_U32
#define FUTEX2_SIZE_U32 0x02
#define DSI_COMPAT_FUTEX2_SIZE_U32 1
#endif
#ifndef FUTEX2_PRIVATE
#define FUTEX2_PRIVATE 128 /* FUTEX_PRIVATE_FLAG */
#define DSI_COMPAT_FUTEX2_PRIVATE 1
#endif

/* include/uapi/linux/io_uring.h, Linux 6.7. An enum member, so #ifndef cannot see it: it is defined here only
 * for files that include <liburing.h>, whose own copy of the header has it from liburing 2.5
 * (io_uring_version.h, with these macros, exists from 2.4). */
#if defined(LIB_URING_H) && !defined(IORING_OP_FUTEX_WAIT) \
    && (!defined(IO_URING_VERSION_MAJOR) || IO_URING_VERSION_MAJOR * 100 + IO_URING_VERSION_MINOR < 205)
#define IORING_OP_FUTEX_WAIT 51
#define DSI_COMPAT_IORING_OP_FUTEX_WAIT 1
#endif

#endif
