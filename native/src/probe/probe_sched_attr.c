/*
 * <linux/sched.h> and <linux/sched/types.h> (the kernel UAPI; glibc 2.36 has no sched_setattr): the
 * struct sched_attr the shim passes to sched_setattr(2)/sched_getattr(2), and SCHED_FLAG_*. The policy
 * numbers are probed here too, so a disagreement with glibc's <sched.h> (probe_sched.c) fails the probe.
 */
#include <linux/sched.h>
#include <linux/sched/types.h>
#include "probe.h"

PROBE_CONST(SCHED_FIFO); PROBE_CONST(SCHED_RR); PROBE_CONST(SCHED_BATCH); PROBE_CONST(SCHED_IDLE);
PROBE_CONST(SCHED_DEADLINE);
DSI_PROBE_ENTRY("SCHED_OTHER", SCHED_NORMAL);

PROBE_CONST(SCHED_FLAG_RESET_ON_FORK); PROBE_CONST(SCHED_FLAG_RECLAIM); PROBE_CONST(SCHED_FLAG_DL_OVERRUN);

PROBE_SIZEOF(sched_attr, struct sched_attr);
PROBE_OFFSETOF(sched_attr, struct sched_attr, size);
PROBE_OFFSETOF(sched_attr, struct sched_attr, sched_policy);
PROBE_OFFSETOF(sched_attr, struct sched_attr, sched_flags);
PROBE_OFFSETOF(sched_attr, struct sched_attr, sched_nice);
PROBE_OFFSETOF(sched_attr, struct sched_attr, sched_priority);
PROBE_OFFSETOF(sched_attr, struct sched_attr, sched_runtime);
PROBE_OFFSETOF(sched_attr, struct sched_attr, sched_deadline);
PROBE_OFFSETOF(sched_attr, struct sched_attr, sched_period);
PROBE_OFFSETOF(sched_attr, struct sched_attr, sched_util_min);
PROBE_OFFSETOF(sched_attr, struct sched_attr, sched_util_max);
