/*
 * <sched.h> as glibc declares it: Sched's policies and cpu_set_t.
 * struct sched_attr and SCHED_FLAG_* live in probe_sched_attr.c: glibc's <sched.h> and
 * <linux/sched/types.h> both define struct sched_param, so they cannot share a translation unit.
 */
#include <sched.h>
#include "probe.h"

PROBE_CONST(SCHED_OTHER); PROBE_CONST(SCHED_FIFO); PROBE_CONST(SCHED_RR); PROBE_CONST(SCHED_BATCH);
PROBE_CONST(SCHED_IDLE); PROBE_CONST(SCHED_DEADLINE);

PROBE_CONST(CPU_SETSIZE);
PROBE_SIZEOF(cpu_set_t, cpu_set_t);
PROBE_OFFSETOF(cpu_set_t, cpu_set_t, __bits);
