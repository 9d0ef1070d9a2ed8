/* Reports which constants came from include/dsi_uapi_compat.h rather than the system headers. */
#include <linux/io_uring.h>
#include <sys/mman.h>
#include <linux/userfaultfd.h>
#include "dsi_uapi_compat.h"
#include "probe.h"

#ifdef DSI_COMPAT_IORING_SEND_ZC_REPORT_USAGE
DSI_PROBE_ENTRY("compat:IORING_SEND_ZC_REPORT_USAGE", 1);
#endif
#ifdef DSI_COMPAT_IORING_NOTIF_USAGE_ZC_COPIED
DSI_PROBE_ENTRY("compat:IORING_NOTIF_USAGE_ZC_COPIED", 1);
#endif
#ifdef DSI_COMPAT_UFFD_FEATURE_WP_UNPOPULATED
DSI_PROBE_ENTRY("compat:UFFD_FEATURE_WP_UNPOPULATED", 1);
#endif
#ifdef DSI_COMPAT_MADV_POPULATE_READ
DSI_PROBE_ENTRY("compat:MADV_POPULATE_READ", 1);
#endif
#ifdef DSI_COMPAT_MADV_POPULATE_WRITE
DSI_PROBE_ENTRY("compat:MADV_POPULATE_WRITE", 1);
#endif

/*
 * compatConstantsAreReported wants every compat constant probed by value too; the Userfaultfd binding
 * will declare this one, an equal duplicate entry from its own probe file is harmless.
 */
PROBE_CONST(UFFD_FEATURE_WP_UNPOPULATED);
