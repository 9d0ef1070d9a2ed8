/*
 * <sys/stat.h>, <time.h>, <sys/eventfd.h>, <poll.h>, <sys/pidfd.h>, <linux/futex.h>:
 * Stat, Time, Eventfd, Poll, Pidfd, Futex.
 */
#include <linux/futex.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/pidfd.h>
#include <sys/stat.h>
#include <time.h>
#include "dsi_uapi_compat.h"
#include "probe.h"

#ifdef DSI_COMPAT_FUTEX2_SIZE_U32
DSI_PROBE_ENTRY("compat:FUTEX2_SIZE_U32", 1);
#endif
#ifdef DSI_COMPAT_FUTEX2_PRIVATE
DSI_PROBE_ENTRY("compat:FUTEX2_PRIVATE", 1);
#endif

PROBE_SIZEOF(timespec, struct timespec);
PROBE_OFFSETOF(timespec, struct timespec, tv_sec);
PROBE_OFFSETOF(timespec, struct timespec, tv_nsec);
PROBE_CONST(CLOCK_REALTIME); PROBE_CONST(CLOCK_MONOTONIC); PROBE_CONST(CLOCK_PROCESS_CPUTIME_ID);
PROBE_CONST(CLOCK_THREAD_CPUTIME_ID); PROBE_CONST(CLOCK_MONOTONIC_RAW); PROBE_CONST(CLOCK_BOOTTIME);
PROBE_CONST(TIMER_ABSTIME);

PROBE_SIZEOF(stat, struct stat);
PROBE_OFFSETOF(stat, struct stat, st_dev);
PROBE_OFFSETOF(stat, struct stat, st_ino);
PROBE_OFFSETOF(stat, struct stat, st_nlink);
PROBE_OFFSETOF(stat, struct stat, st_mode);
PROBE_OFFSETOF(stat, struct stat, st_uid);
PROBE_OFFSETOF(stat, struct stat, st_gid);
PROBE_OFFSETOF(stat, struct stat, st_rdev);
PROBE_OFFSETOF(stat, struct stat, st_size);
PROBE_OFFSETOF(stat, struct stat, st_blksize);
PROBE_OFFSETOF(stat, struct stat, st_blocks);
PROBE_OFFSETOF(stat, struct stat, st_atim);
PROBE_OFFSETOF(stat, struct stat, st_atim.tv_sec);
PROBE_OFFSETOF(stat, struct stat, st_atim.tv_nsec);
PROBE_OFFSETOF(stat, struct stat, st_mtim);
PROBE_OFFSETOF(stat, struct stat, st_mtim.tv_sec);
PROBE_OFFSETOF(stat, struct stat, st_mtim.tv_nsec);
PROBE_OFFSETOF(stat, struct stat, st_ctim);
PROBE_OFFSETOF(stat, struct stat, st_ctim.tv_sec);
PROBE_OFFSETOF(stat, struct stat, st_ctim.tv_nsec);
PROBE_CONST(S_IFMT); PROBE_CONST(S_IFREG); PROBE_CONST(S_IFDIR);
PROBE_CONST(S_IRUSR); PROBE_CONST(S_IWUSR); PROBE_CONST(S_IRGRP); PROBE_CONST(S_IWGRP);

PROBE_CONST(EFD_CLOEXEC); PROBE_CONST(EFD_NONBLOCK); PROBE_CONST(EFD_SEMAPHORE);

PROBE_SIZEOF(pollfd, struct pollfd);
PROBE_OFFSETOF(pollfd, struct pollfd, fd);
PROBE_OFFSETOF(pollfd, struct pollfd, events);
PROBE_OFFSETOF(pollfd, struct pollfd, revents);
PROBE_CONST(POLLIN); PROBE_CONST(POLLPRI); PROBE_CONST(POLLOUT); PROBE_CONST(POLLERR); PROBE_CONST(POLLHUP);
PROBE_CONST(POLLNVAL);

PROBE_CONST(PIDFD_NONBLOCK);

PROBE_CONST(FUTEX_WAIT); PROBE_CONST(FUTEX_WAKE); PROBE_CONST(FUTEX_WAIT_BITSET);
PROBE_CONST(FUTEX_BITSET_MATCH_ANY);
PROBE_CONST(FUTEX2_SIZE_U32); PROBE_CONST(FUTEX2_PRIVATE);
