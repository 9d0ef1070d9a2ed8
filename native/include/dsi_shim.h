/*
 * The exported functions of libdsinative.so besides liburing's own: one declaration each, included by
 * the .c file that defines it (so the compiler checks the two agree) and read by jextract.sh.
 * Every function returns >= 0 on success or -errno.
 */
#ifndef DSI_SHIM_H
#define DSI_SHIM_H

#include <stdint.h>

#include "dsi_native.h"

struct sched_attr;
struct dsi_uffd_ring;

/* syscalls.c */
DSI_EXPORT long dsi_gettid(void);
DSI_EXPORT long dsi_eventfd_read(int32_t fd);
DSI_EXPORT long dsi_eventfd_write(int32_t fd, uint64_t value);
DSI_EXPORT long dsi_proc_start_time(int32_t pid, int32_t live_only);
DSI_EXPORT long dsi_futex_wait(uint32_t *uaddr, uint32_t expected, int64_t timeout_ns);
DSI_EXPORT long dsi_futex_wait_until(uint32_t *uaddr, uint32_t expected, int64_t deadline_ns);
DSI_EXPORT long dsi_futex_wake(uint32_t *uaddr, int32_t count);
DSI_EXPORT long dsi_sched_setattr(int32_t tid, struct sched_attr *attr, uint32_t flags);
DSI_EXPORT long dsi_sched_getattr(int32_t tid, struct sched_attr *attr, uint32_t size, uint32_t flags);
DSI_EXPORT long dsi_userfaultfd(int32_t flags);
DSI_EXPORT long dsi_ioctl(int32_t fd, uint64_t request, void *arg);
DSI_EXPORT long dsi_pidfd_open(int32_t pid, uint32_t flags);

/* time.c */
DSI_EXPORT int64_t dsi_clock_gettime_ns(int32_t clockid);
DSI_EXPORT int64_t dsi_clock_nanosleep_ns(int32_t clockid, int32_t flags, int64_t ns);

/* uffd_open.c */
DSI_EXPORT long dsi_userfaultfd_syscall(int32_t flags);
DSI_EXPORT long dsi_userfaultfd_dev(int32_t flags);

/* uffd_resolver.c (see dsi_uffd.h for the ring) */
DSI_EXPORT long dsi_uffd_resolver_start(int32_t uffd, struct dsi_uffd_ring *ring, uint32_t capacity,
                                        int32_t notify_fd);
DSI_EXPORT long dsi_uffd_resolver_stop(long handle);

#endif
