/*
 * <sys/file.h>: SysFile (flock).
 */
#include <sys/file.h>
#include "probe.h"

PROBE_CONST(LOCK_SH); PROBE_CONST(LOCK_EX); PROBE_CONST(LOCK_NB); PROBE_CONST(LOCK_UN);
