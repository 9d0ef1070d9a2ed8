/* <linux/userfaultfd.h>: Userfaultfd. */
#include <sys/ioctl.h> /* _IOWR, which the UFFDIO_* request numbers expand to */
#include <linux/userfaultfd.h>
#include "dsi_uapi_compat.h"
#include "probe.h"

PROBE_CONST(UFFD_API);
PROBE_CONST(UFFD_USER_MODE_ONLY);

PROBE_CONST(UFFD_FEATURE_PAGEFAULT_FLAG_WP); PROBE_CONST(UFFD_FEATURE_EVENT_FORK);
PROBE_CONST(UFFD_FEATURE_EVENT_REMAP); PROBE_CONST(UFFD_FEATURE_EVENT_REMOVE);
PROBE_CONST(UFFD_FEATURE_MISSING_HUGETLBFS); PROBE_CONST(UFFD_FEATURE_MISSING_SHMEM);
PROBE_CONST(UFFD_FEATURE_EVENT_UNMAP); PROBE_CONST(UFFD_FEATURE_SIGBUS); PROBE_CONST(UFFD_FEATURE_THREAD_ID);
PROBE_CONST(UFFD_FEATURE_MINOR_HUGETLBFS); PROBE_CONST(UFFD_FEATURE_MINOR_SHMEM);
PROBE_CONST(UFFD_FEATURE_EXACT_ADDRESS); PROBE_CONST(UFFD_FEATURE_WP_HUGETLBFS_SHMEM);
PROBE_CONST(UFFD_FEATURE_WP_UNPOPULATED);

PROBE_CONST(UFFDIO_REGISTER_MODE_MISSING); PROBE_CONST(UFFDIO_REGISTER_MODE_WP);
PROBE_CONST(UFFDIO_REGISTER_MODE_MINOR);
PROBE_CONST(UFFDIO_COPY_MODE_DONTWAKE); PROBE_CONST(UFFDIO_COPY_MODE_WP);
PROBE_CONST(UFFDIO_ZEROPAGE_MODE_DONTWAKE);
PROBE_CONST(UFFDIO_WRITEPROTECT_MODE_WP); PROBE_CONST(UFFDIO_WRITEPROTECT_MODE_DONTWAKE);
PROBE_CONST(UFFDIO_CONTINUE_MODE_DONTWAKE);

PROBE_CONST(UFFD_EVENT_PAGEFAULT); PROBE_CONST(UFFD_EVENT_FORK); PROBE_CONST(UFFD_EVENT_REMAP);
PROBE_CONST(UFFD_EVENT_REMOVE); PROBE_CONST(UFFD_EVENT_UNMAP);
PROBE_CONST(UFFD_PAGEFAULT_FLAG_WRITE); PROBE_CONST(UFFD_PAGEFAULT_FLAG_WP); PROBE_CONST(UFFD_PAGEFAULT_FLAG_MINOR);

/* ioctl numbers (_IOWR/_IOR: direction, size and number folded in) and their bits in an ioctls mask */
PROBE_CONST(UFFDIO_API); PROBE_CONST(UFFDIO_REGISTER); PROBE_CONST(UFFDIO_UNREGISTER); PROBE_CONST(UFFDIO_WAKE);
PROBE_CONST(UFFDIO_COPY); PROBE_CONST(UFFDIO_ZEROPAGE); PROBE_CONST(UFFDIO_WRITEPROTECT);
PROBE_CONST(UFFDIO_CONTINUE);
PROBE_CONST(_UFFDIO_API); PROBE_CONST(_UFFDIO_REGISTER); PROBE_CONST(_UFFDIO_UNREGISTER);
PROBE_CONST(_UFFDIO_WAKE); PROBE_CONST(_UFFDIO_COPY); PROBE_CONST(_UFFDIO_ZEROPAGE);
PROBE_CONST(_UFFDIO_WRITEPROTECT); PROBE_CONST(_UFFDIO_CONTINUE);

PROBE_SIZEOF(uffdio_api, struct uffdio_api);
PROBE_OFFSETOF(uffdio_api, struct uffdio_api, api);
PROBE_OFFSETOF(uffdio_api, struct uffdio_api, features);
PROBE_OFFSETOF(uffdio_api, struct uffdio_api, ioctls);

PROBE_SIZEOF(uffdio_range, struct uffdio_range);
PROBE_OFFSETOF(uffdio_range, struct uffdio_range, start);
PROBE_OFFSETOF(uffdio_range, struct uffdio_range, len);

PROBE_SIZEOF(uffdio_register, struct uffdio_register);
PROBE_OFFSETOF(uffdio_register, struct uffdio_register, range);
PROBE_OFFSETOF(uffdio_register, struct uffdio_register, range.start);
PROBE_OFFSETOF(uffdio_register, struct uffdio_register, range.len);
PROBE_OFFSETOF(uffdio_register, struct uffdio_register, mode);
PROBE_OFFSETOF(uffdio_register, struct uffdio_register, ioctls);

PROBE_SIZEOF(uffdio_copy, struct uffdio_copy);
PROBE_OFFSETOF(uffdio_copy, struct uffdio_copy, dst);
PROBE_OFFSETOF(uffdio_copy, struct uffdio_copy, src);
PROBE_OFFSETOF(uffdio_copy, struct uffdio_copy, len);
PROBE_OFFSETOF(uffdio_copy, struct uffdio_copy, mode);
PROBE_OFFSETOF(uffdio_copy, struct uffdio_copy, copy);

PROBE_SIZEOF(uffdio_zeropage, struct uffdio_zeropage);
PROBE_OFFSETOF(uffdio_zeropage, struct uffdio_zeropage, range);
PROBE_OFFSETOF(uffdio_zeropage, struct uffdio_zeropage, range.start);
PROBE_OFFSETOF(uffdio_zeropage, struct uffdio_zeropage, range.len);
PROBE_OFFSETOF(uffdio_zeropage, struct uffdio_zeropage, mode);
PROBE_OFFSETOF(uffdio_zeropage, struct uffdio_zeropage, zeropage);

PROBE_SIZEOF(uffdio_writeprotect, struct uffdio_writeprotect);
PROBE_OFFSETOF(uffdio_writeprotect, struct uffdio_writeprotect, range);
PROBE_OFFSETOF(uffdio_writeprotect, struct uffdio_writeprotect, range.start);
PROBE_OFFSETOF(uffdio_writeprotect, struct uffdio_writeprotect, range.len);
PROBE_OFFSETOF(uffdio_writeprotect, struct uffdio_writeprotect, mode);

PROBE_SIZEOF(uffdio_continue, struct uffdio_continue);
PROBE_OFFSETOF(uffdio_continue, struct uffdio_continue, range);
PROBE_OFFSETOF(uffdio_continue, struct uffdio_continue, range.start);
PROBE_OFFSETOF(uffdio_continue, struct uffdio_continue, range.len);
PROBE_OFFSETOF(uffdio_continue, struct uffdio_continue, mode);
PROBE_OFFSETOF(uffdio_continue, struct uffdio_continue, mapped);

/* packed: the Java layout must land every member at the same offset without natural padding */
PROBE_SIZEOF(uffd_msg, struct uffd_msg);
PROBE_OFFSETOF(uffd_msg, struct uffd_msg, event);
PROBE_OFFSETOF(uffd_msg, struct uffd_msg, reserved1);
PROBE_OFFSETOF(uffd_msg, struct uffd_msg, reserved2);
PROBE_OFFSETOF(uffd_msg, struct uffd_msg, reserved3);
PROBE_OFFSETOF(uffd_msg, struct uffd_msg, arg);
PROBE_OFFSETOF(uffd_msg, struct uffd_msg, arg.pagefault);
PROBE_OFFSETOF(uffd_msg, struct uffd_msg, arg.pagefault.flags);
PROBE_OFFSETOF(uffd_msg, struct uffd_msg, arg.pagefault.address);
PROBE_OFFSETOF(uffd_msg, struct uffd_msg, arg.pagefault.feat);
PROBE_OFFSETOF(uffd_msg, struct uffd_msg, arg.pagefault.feat.ptid);
PROBE_OFFSETOF(uffd_msg, struct uffd_msg, arg.fork);
PROBE_OFFSETOF(uffd_msg, struct uffd_msg, arg.fork.ufd);
PROBE_OFFSETOF(uffd_msg, struct uffd_msg, arg.remap);
PROBE_OFFSETOF(uffd_msg, struct uffd_msg, arg.remap.from);
PROBE_OFFSETOF(uffd_msg, struct uffd_msg, arg.remap.to);
PROBE_OFFSETOF(uffd_msg, struct uffd_msg, arg.remap.len);
PROBE_OFFSETOF(uffd_msg, struct uffd_msg, arg.remove);
PROBE_OFFSETOF(uffd_msg, struct uffd_msg, arg.remove.start);
PROBE_OFFSETOF(uffd_msg, struct uffd_msg, arg.remove.end);
