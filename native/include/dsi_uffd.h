/*
 * The userfaultfd resolver: a native pthread that reads a userfaultfd, resolves every fault so the
 * faulting access completes, and records each event in a ring that Java reads.
 *
 * Why native: a Java thread blocked in a page fault is "in Java" for the JVM, so a safepoint waits for
 * it; a Java resolver would itself stop at that safepoint and the process would deadlock
 * (DESIGN.md, "Hazards"). This thread never enters the JVM and runs with every signal blocked.
 *
 * Resolution, per page fault:
 *   MISSING  UFFDIO_ZEROPAGE. On shmem this allocates a zeroed page INTO THE FILE (shmem_mfill_atomic_pte),
 *            so the hole is filled for every process that maps it; on anonymous memory it maps the zero page.
 *   MINOR    UFFDIO_CONTINUE: maps the page that is already in the page cache.
 *   WP       UFFDIO_WRITEPROTECT with mode 0: lifts the protection of that page.
 * The event is recorded BEFORE the resolving ioctl wakes the faulting thread, so once a faulting access
 * has completed its event is already visible to the consumer (or counted in lost). A resolution that
 * fails (the kernel then wakes nobody) is always followed by UFFDIO_WAKE, so a faulting thread is never
 * left blocked:
 *   - a lost race (EEXIST: the page is there already; EAGAIN: the address space is changing; for
 *     CONTINUE, EFAULT/ENOENT: the page left the page cache again) counts in retries; the woken thread
 *     retries the access and faults again, with the right kind, if it still has to;
 *   - any other error counts in resolve_errors/last_error and the page is given up (UFFDIO_UNREGISTER of
 *     that page) before the wake, so the retried access is served by the kernel as if nothing watched it
 *     and a lasting error cannot livelock the thread. That page raises no more events.
 * Base pages only: on hugetlbfs ranges ZEROPAGE and a page-sized UNREGISTER fail (not supported).
 *
 * Event ring (memory owned by the caller, at least sizeof(struct dsi_uffd_ring) + capacity events,
 * capacity a power of two): single producer (the resolver), single consumer (Java).
 *   head     written by the consumer (release), read by the resolver (acquire)
 *   tail     written by the resolver (release) after the event is written, read by the consumer (acquire)
 *   counters and state written by the resolver only (atomic, relaxed), read by anyone
 */
#ifndef DSI_UFFD_H
#define DSI_UFFD_H

#include <stdint.h>

enum dsi_uffd_event_kind {
    DSI_UFFD_EVENT_MISSING = 1,   /* fault on a page absent from the file: resolved with a zero page */
    DSI_UFFD_EVENT_MINOR = 2,     /* page in the page cache, not in this mapping: resolved with CONTINUE */
    DSI_UFFD_EVENT_WP = 3,        /* write to a write-protected page: resolved by lifting the protection */
    DSI_UFFD_EVENT_REMOVE = 4,    /* madvise(DONTNEED/REMOVE) seen by a UFFD_FEATURE_EVENT_REMOVE reader */
    DSI_UFFD_EVENT_OTHER = 5,     /* fork (its uffd is closed), remap, unmap: address/end as the kernel gave */
};

enum dsi_uffd_state {
    DSI_UFFD_STATE_RUNNING = 1,   /* the thread reads and resolves faults */
    DSI_UFFD_STATE_STOPPED = 2,   /* ended by dsi_uffd_resolver_stop */
    DSI_UFFD_STATE_FAILED = 3,    /* ended by an error (last_error): faults in registered ranges now block */
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
    uint64_t faults;             /* page-fault events read (each one resolved, retried or counted in resolve_errors) */
    uint64_t events;             /* all events read */
    uint64_t lost;               /* events not recorded because the ring was full (still resolved) */
    uint64_t resolve_errors;     /* resolutions that failed other than by a lost race: page given up */
    int64_t last_error;          /* -errno of the last failure, 0 if none */
    uint32_t capacity;           /* number of event slots, a power of two */
    uint32_t page_size;
    uint32_t state;              /* enum dsi_uffd_state */
    uint32_t pad2;
    uint64_t retries;            /* resolutions lost to a race (EEXIST, EAGAIN, page gone): thread woken to retry */
    struct dsi_uffd_event slots[];
};

#endif
