/*
 * The userfaultfd resolver: a native pthread that reads a userfaultfd, resolves every fault so the
 * faulting access completes, and records each event in a ring that Java reads.
 *
 * Why native: a Java thread blocked in a page fault is "in Java" for the JVM, so a safepoint waits for
 * it; a Java resolver would itself stop at that safepoint and the process would deadlock
 * (DESIGN.md, "Hazards"). This thread never enters the JVM.
 *
 * Event ring (memory owned by the caller, at least sizeof(struct dsi_uffd_ring) + capacity events,
 * capacity a power of two): single producer (the resolver), single consumer (Java).
 *   head   written by the consumer (release), read by the resolver (acquire)
 *   tail   written by the resolver (release) after the event is written, read by the consumer (acquire)
 *   counters written by the resolver only (relaxed), read by anyone
 */
#ifndef DSI_UFFD_H
#define DSI_UFFD_H

#include <stdint.h>

enum dsi_uffd_event_kind {
    DSI_UFFD_EVENT_MISSING = 1,   /* fault on a page absent from the file: resolved with a zero page */
    DSI_UFFD_EVENT_MINOR = 2,     /* page in the page cache, not in this mapping: resolved with CONTINUE */
    DSI_UFFD_EVENT_WP = 3,        /* write to a write-protected page: resolved by lifting the protection */
    DSI_UFFD_EVENT_REMOVE = 4,    /* madvise(DONTNEED/REMOVE) or hole punch seen by a UFFD_FEATURE_EVENT_REMOVE reader */
    DSI_UFFD_EVENT_OTHER = 5,
};

struct dsi_uffd_event {
    uint64_t address;   /* page-aligned faulting address, or start of a removed range */
    uint64_t end;       /* end of a removed range; address + page size for faults */
    uint64_t time_ns;   /* CLOCK_MONOTONIC when the resolver read the event */
    uint32_t kind;      /* enum dsi_uffd_event_kind */
    uint32_t tid;       /* faulting thread id when the kernel reports it (UFFD_FEATURE_THREAD_ID), else 0 */
};

struct dsi_uffd_ring {
    uint64_t head;               /* next event the consumer will read */
    uint8_t pad0[56];
    uint64_t tail;               /* next event the resolver will write */
    uint8_t pad1[56];
    uint64_t faults;             /* faults resolved */
    uint64_t events;             /* all events read */
    uint64_t lost;               /* events not recorded because the ring was full (still resolved) */
    uint64_t resolve_errors;     /* resolution ioctls that failed with something other than EEXIST */
    int64_t last_error;          /* -errno of the last failure, 0 if none */
    uint32_t capacity;           /* number of event slots, a power of two */
    uint32_t page_size;
    uint8_t pad2[16];
    struct dsi_uffd_event slots[];
};

#endif
