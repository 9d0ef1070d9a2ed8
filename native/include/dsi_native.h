/*
 * Common definitions of the DSI-Panama native shim.
 *
 * Conventions: every exported function returns >= 0 on success or -errno on failure, never sets a
 * global error state the caller must read, and never blocks a Java thread in a way the JVM cannot see
 * (blocking calls are ordinary syscalls made from a thread that called down from Java).
 */
#ifndef DSI_NATIVE_H
#define DSI_NATIVE_H

#include <errno.h>
#include <stdint.h>

#define DSI_EXPORT __attribute__((visibility("default")))

/* The value a shim function returns for a failing syscall: -errno. */
#define DSI_RET(expr) ({ long __r = (long)(expr); __r < 0 ? -(long)errno : __r; })

#endif
