/*
 * Non-variadic wrappers for system calls that glibc 2.36 does not wrap, or wraps only through the
 * variadic syscall(2)/ioctl(2), which FFM cannot call portably. Each returns >= 0 or -errno.
 */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/futex.h>
#include <linux/sched/types.h>
#include <linux/userfaultfd.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "dsi_native.h"
#include "dsi_shim.h"

#ifndef USERFAULTFD_IOC_NEW
#define USERFAULTFD_IOC_NEW _IO(0xAA, 0x00)
#endif

DSI_EXPORT long dsi_gettid(void)
{
    return syscall(SYS_gettid);
}

/*
 * read(2) of an eventfd: its count (at most LONG_MAX), or -errno (-EAGAIN: a non-blocking one held 0).
 * The 8-byte buffer is this frame's, and the error comes back as the value, so Java calls it with no
 * segment and no capture state: nothing to allocate per call.
 */
DSI_EXPORT long dsi_eventfd_read(int32_t fd)
{
    uint64_t value;
    ssize_t n = read(fd, &value, sizeof value);
    if (n < 0) {
        return -(long)errno;
    }
    if (n != (ssize_t)sizeof value) {
        return -EIO;
    }
    return value > (uint64_t)LONG_MAX ? LONG_MAX : (long)value;
}

/*
 * Field 22 (starttime, clock ticks since boot) of /proc/PID/stat, or -errno (-ENOENT/-ESRCH: no such pid).
 * With live_only, a zombie or dead process (state Z or X, field 3) gives -ESRCH. The text is parsed here,
 * in a stack buffer, so a liveness check from Java allocates nothing. comm (field 2) may hold spaces and
 * ')': the fields resume after the last ')'.
 */
DSI_EXPORT long dsi_proc_start_time(int32_t pid, int32_t live_only)
{
    char path[32];
    char buf[1024];
    if (pid <= 0) {
        return -ESRCH;
    }
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return errno == ENOENT ? -ESRCH : -(long)errno;
    }
    ssize_t n = read(fd, buf, sizeof buf - 1);
    int read_errno = errno;
    close(fd);
    if (n < 0) {
        return read_errno == ESRCH ? -ESRCH : -(long)read_errno;
    }
    buf[n] = '\0';
    char *p = strrchr(buf, ')');
    if (p == NULL || p[1] != ' ') {
        return -EINVAL;
    }
    p += 2; /* field 3, the state */
    if (live_only && (*p == 'Z' || *p == 'X' || *p == 'x')) {
        return -ESRCH;
    }
    for (int field = 3; field < 22; field++) {
        p = strchr(p, ' ');
        if (p == NULL) {
            return -EINVAL;
        }
        p++;
    }
    if (*p < '0' || *p > '9') {
        return -EINVAL;
    }
    char *end;
    errno = 0;
    unsigned long long start = strtoull(p, &end, 10);
    if (errno != 0 || (*end != ' ' && *end != '\n' && *end != '\0') || start > (unsigned long long)LONG_MAX) {
        return -EINVAL;
    }
    return (long)start;
}

/* write(2) of an eventfd: adds value; 0, or -errno (-EAGAIN: it would overflow a non-blocking one). */
DSI_EXPORT long dsi_eventfd_write(int32_t fd, uint64_t value)
{
    ssize_t n = write(fd, &value, sizeof value);
    return n < 0 ? -(long)errno : 0;
}

/*
 * FUTEX_WAIT on a shared (not private) word, so the waker may be another process.
 * timeout_ns < 0 waits forever; otherwise it is relative. Returns 0, -EAGAIN (value differed),
 * -ETIMEDOUT or -EINTR.
 */
DSI_EXPORT long dsi_futex_wait(uint32_t *uaddr, uint32_t expected, int64_t timeout_ns)
{
    struct timespec ts, *tp = NULL;
    if (timeout_ns >= 0) {
        ts.tv_sec = timeout_ns / 1000000000L;
        ts.tv_nsec = timeout_ns % 1000000000L;
        tp = &ts;
    }
    return DSI_RET(syscall(SYS_futex, uaddr, FUTEX_WAIT, expected, tp, NULL, 0));
}

/*
 * FUTEX_WAIT_BITSET with an absolute CLOCK_MONOTONIC deadline: a periodic waiter that is woken early
 * and waits again does not stretch its deadline.
 */
DSI_EXPORT long dsi_futex_wait_until(uint32_t *uaddr, uint32_t expected, int64_t deadline_ns)
{
    struct timespec ts = { .tv_sec = deadline_ns / 1000000000L, .tv_nsec = deadline_ns % 1000000000L };
    return DSI_RET(syscall(SYS_futex, uaddr, FUTEX_WAIT_BITSET, expected, &ts, NULL, FUTEX_BITSET_MATCH_ANY));
}

/* FUTEX_WAKE on a shared word; returns the number of waiters woken. */
DSI_EXPORT long dsi_futex_wake(uint32_t *uaddr, int32_t count)
{
    return DSI_RET(syscall(SYS_futex, uaddr, FUTEX_WAKE, count, NULL, NULL, 0));
}

DSI_EXPORT long dsi_sched_setattr(int32_t tid, struct sched_attr *attr, uint32_t flags)
{
    return DSI_RET(syscall(SYS_sched_setattr, tid, attr, flags));
}

DSI_EXPORT long dsi_sched_getattr(int32_t tid, struct sched_attr *attr, uint32_t size, uint32_t flags)
{
    return DSI_RET(syscall(SYS_sched_getattr, tid, attr, size, flags));
}

/*
 * A new userfaultfd. The syscall may be refused to unprivileged users for kernel faults
 * (vm.unprivileged_userfaultfd); /dev/userfaultfd (Linux 6.1) is the other door, tried when the
 * syscall is not permitted.
 */
DSI_EXPORT long dsi_userfaultfd(int32_t flags)
{
    long fd = syscall(SYS_userfaultfd, flags);
    if (fd >= 0)
        return fd;
    int err = errno;
    if (err != EPERM && err != ENOSYS)
        return -err;
    int dev = open("/dev/userfaultfd", O_RDWR | O_CLOEXEC);
    if (dev < 0)
        return -err;
    fd = ioctl(dev, USERFAULTFD_IOC_NEW, flags);
    int err2 = errno;
    close(dev);
    return fd >= 0 ? fd : -err2;
}

/* ioctl(2) with a pointer argument, without the variadic call. */
DSI_EXPORT long dsi_ioctl(int32_t fd, uint64_t request, void *arg)
{
    return DSI_RET(ioctl(fd, request, arg));
}

DSI_EXPORT long dsi_pidfd_open(int32_t pid, uint32_t flags)
{
    return DSI_RET(syscall(SYS_pidfd_open, pid, flags));
}
