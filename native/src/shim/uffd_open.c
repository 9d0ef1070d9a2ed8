/*
 * The two doors to a new userfaultfd, one at a time, so a feature probe can say which one works;
 * dsi_userfaultfd (syscalls.c) tries both. Each returns the descriptor or -errno.
 */
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "dsi_native.h"
#include "dsi_shim.h"

#ifndef USERFAULTFD_IOC_NEW
#define USERFAULTFD_IOC_NEW _IO(0xAA, 0x00)
#endif

/* userfaultfd(2): EPERM for kernel-mode faults when vm.unprivileged_userfaultfd=0 and no CAP_SYS_PTRACE. */
DSI_EXPORT long dsi_userfaultfd_syscall(int32_t flags)
{
    return DSI_RET(syscall(SYS_userfaultfd, flags));
}

/* ioctl(USERFAULTFD_IOC_NEW) on /dev/userfaultfd (Linux 6.1): governed by the device node's permissions. */
DSI_EXPORT long dsi_userfaultfd_dev(int32_t flags)
{
    int dev = open("/dev/userfaultfd", O_RDWR | O_CLOEXEC);
    if (dev < 0)
        return -errno;
    long fd = ioctl(dev, USERFAULTFD_IOC_NEW, flags);
    int err = errno;
    close(dev);
    return fd >= 0 ? fd : -err;
}
