/*
 * <time.h> without a struct timespec crossing into Java: times travel as int64 nanoseconds, so the Java
 * side allocates nothing and needs no errno capture. Each returns >= 0 or -errno.
 */
#include <time.h>

#include "dsi_native.h"
#include "dsi_shim.h"

#define DSI_NS_PER_S 1000000000L

/*
 * clock_gettime(2) in nanoseconds. glibc answers the wall and monotonic clocks from the vDSO (tens of
 * nanoseconds, no syscall) and the CPU-time clocks with a short syscall; neither blocks, so Java binds
 * this as a critical call. A clock before 1970 (only CLOCK_REALTIME, set back by hand) would read as a
 * negative value; callers of that clock accept the ambiguity.
 */
DSI_EXPORT int64_t dsi_clock_gettime_ns(int32_t clockid)
{
    struct timespec ts;
    if (clock_gettime(clockid, &ts) != 0)
        return -errno;
    return (int64_t)ts.tv_sec * DSI_NS_PER_S + ts.tv_nsec;
}

/*
 * clock_nanosleep(2) for `ns` (relative, or an absolute time of `clockid` with TIMER_ABSTIME).
 * Returns 0 or -EINTR (or -EINVAL for a bad clock or a negative time). Unlike most calls,
 * clock_nanosleep returns its error number instead of setting errno.
 */
DSI_EXPORT int64_t dsi_clock_nanosleep_ns(int32_t clockid, int32_t flags, int64_t ns)
{
    if (ns < 0)
        return -EINVAL;
    struct timespec ts = { .tv_sec = ns / DSI_NS_PER_S, .tv_nsec = ns % DSI_NS_PER_S };
    return -(int64_t)clock_nanosleep(clockid, flags, &ts, NULL);
}
