/*
 * Non-variadic wrappers for system calls that glibc 2.36 does not wrap, or wraps only through the
 * variadic syscall(2)/ioctl(2), which FFM cannot call portably. Each returns >= 0 or -errno.
 */
#include <fcntl.h>
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
