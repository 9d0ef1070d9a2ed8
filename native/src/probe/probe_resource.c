/* <sys/resource.h>: Resource. */
#include <sys/resource.h>
#include "probe.h"

PROBE_CONST(RLIMIT_NOFILE); PROBE_CONST(RLIMIT_MEMLOCK); PROBE_CONST(RLIMIT_RTPRIO); PROBE_CONST(RLIMIT_RTTIME);
/* unsigned ~0 on x86_64; the probe's (long long) cast makes it -1, which is what Resource declares */
PROBE_CONST(RLIM_INFINITY);
PROBE_SIZEOF(rlimit, struct rlimit);
PROBE_OFFSETOF(rlimit, struct rlimit, rlim_cur);
PROBE_OFFSETOF(rlimit, struct rlimit, rlim_max);
