/* See include/dsi_uffd.h for the contract. */
#include <linux/userfaultfd.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "dsi_native.h"
#include "dsi_uffd.h"

struct resolver {
    pthread_t thread;
    int uffd;
    int stop_fd;        /* eventfd written by dsi_uffd_resolver_stop */
    int notify_fd;      /* eventfd written after each recorded event, or -1 */
    struct dsi_uffd_ring *ring;
};

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void record(struct resolver *r, uint32_t kind, uint64_t address, uint64_t end, uint32_t tid)
{
    struct dsi_uffd_ring *ring = r->ring;
    uint64_t tail = ring->tail; /* only this thread writes tail */
    uint64_t head = __atomic_load_n(&ring->head, __ATOMIC_ACQUIRE);
    __atomic_fetch_add(&ring->events, 1, __ATOMIC_RELAXED);
    if (tail - head >= ring->capacity) {
        __atomic_fetch_add(&ring->lost, 1, __ATOMIC_RELAXED);
    } else {
        struct dsi_uffd_event *e = &ring->slots[tail & (ring->capacity - 1)];
        e->address = address;
        e->end = end;
        e->time_ns = now_ns();
        e->kind = kind;
        e->tid = tid;
        /* pairs with the consumer's acquire load of tail */
        __atomic_store_n(&ring->tail, tail + 1, __ATOMIC_RELEASE);
    }
    if (r->notify_fd >= 0) {
        uint64_t one = 1;
        ssize_t n = write(r->notify_fd, &one, sizeof one);
        (void)n; /* an eventfd at its maximum only means the reader is far behind */
    }
}

static void failed(struct resolver *r, int err)
{
    __atomic_fetch_add(&r->ring->resolve_errors, 1, __ATOMIC_RELAXED);
    __atomic_store_n(&r->ring->last_error, -(int64_t)err, __ATOMIC_RELAXED);
}

static void resolve_fault(struct resolver *r, const struct uffd_msg *msg)
{
    uint64_t page = msg->arg.pagefault.address & ~((uint64_t)r->ring->page_size - 1);
    uint64_t flags = msg->arg.pagefault.flags;
    uint32_t tid = msg->arg.pagefault.feat.ptid;
    uint32_t kind;
    int rc;
    if (flags & UFFD_PAGEFAULT_FLAG_WP) {
        struct uffdio_writeprotect wp = { .range = { page, r->ring->page_size }, .mode = 0 };
        kind = DSI_UFFD_EVENT_WP;
        rc = ioctl(r->uffd, UFFDIO_WRITEPROTECT, &wp);
    } else if (flags & UFFD_PAGEFAULT_FLAG_MINOR) {
        struct uffdio_continue c = { .range = { page, r->ring->page_size }, .mode = 0 };
        kind = DSI_UFFD_EVENT_MINOR;
        rc = ioctl(r->uffd, UFFDIO_CONTINUE, &c);
    } else {
        struct uffdio_zeropage z = { .range = { page, r->ring->page_size }, .mode = 0 };
        kind = DSI_UFFD_EVENT_MISSING;
        rc = ioctl(r->uffd, UFFDIO_ZEROPAGE, &z);
    }
    if (rc < 0 && errno != EEXIST) {
        /* Never leave the faulting thread blocked: wake it so it retries the access. */
        int err = errno;
        struct uffdio_range range = { page, r->ring->page_size };
        ioctl(r->uffd, UFFDIO_WAKE, &range);
        failed(r, err);
    }
    __atomic_fetch_add(&r->ring->faults, 1, __ATOMIC_RELAXED);
    record(r, kind, page, page + r->ring->page_size, tid);
}

static void *resolver_main(void *arg)
{
    struct resolver *r = arg;
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, NULL);
    struct pollfd fds[2] = { { .fd = r->uffd, .events = POLLIN }, { .fd = r->stop_fd, .events = POLLIN } };
    for (;;) {
        if (poll(fds, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            failed(r, errno);
            return NULL;
        }
        if (fds[1].revents)
            return NULL;
        if (fds[0].revents & (POLLERR | POLLHUP | POLLNVAL))
            return NULL;
        struct uffd_msg msgs[16];
        ssize_t n = read(r->uffd, msgs, sizeof msgs);
        if (n < 0) {
            if (errno == EAGAIN || errno == EINTR)
                continue;
            failed(r, errno);
            return NULL;
        }
        for (ssize_t i = 0; i < n / (ssize_t)sizeof msgs[0]; i++) {
            const struct uffd_msg *m = &msgs[i];
            switch (m->event) {
            case UFFD_EVENT_PAGEFAULT:
                resolve_fault(r, m);
                break;
            case UFFD_EVENT_REMOVE:
                record(r, DSI_UFFD_EVENT_REMOVE, m->arg.remove.start, m->arg.remove.end, 0);
                break;
            default:
                record(r, DSI_UFFD_EVENT_OTHER, 0, 0, 0);
                break;
            }
        }
    }
}

/*
 * Starts a resolver on uffd (which must be O_NONBLOCK and already past UFFDIO_API). ring must stay valid
 * until dsi_uffd_resolver_stop returns. Returns an opaque handle (> 0) or -errno.
 */
DSI_EXPORT long dsi_uffd_resolver_start(int32_t uffd, struct dsi_uffd_ring *ring, uint32_t capacity,
                                        int32_t notify_fd)
{
    if (capacity == 0 || (capacity & (capacity - 1)) != 0 || ring == NULL)
        return -EINVAL;
    struct resolver *r = calloc(1, sizeof *r);
    if (r == NULL)
        return -ENOMEM;
    memset(ring, 0, sizeof *ring);
    ring->capacity = capacity;
    ring->page_size = (uint32_t)sysconf(_SC_PAGESIZE);
    r->uffd = uffd;
    r->notify_fd = notify_fd;
    r->ring = ring;
    r->stop_fd = eventfd(0, EFD_CLOEXEC);
    if (r->stop_fd < 0) {
        int err = errno;
        free(r);
        return -err;
    }
    int rc = pthread_create(&r->thread, NULL, resolver_main, r);
    if (rc != 0) {
        close(r->stop_fd);
        free(r);
        return -rc;
    }
    pthread_setname_np(r->thread, "dsi-uffd");
    return (long)(intptr_t)r;
}

/* Stops the resolver and waits for its thread to end. The uffd stays open (the caller owns it). */
DSI_EXPORT long dsi_uffd_resolver_stop(long handle)
{
    struct resolver *r = (struct resolver *)(intptr_t)handle;
    if (r == NULL)
        return -EINVAL;
    uint64_t one = 1;
    if (write(r->stop_fd, &one, sizeof one) < 0)
        return -errno;
    int rc = pthread_join(r->thread, NULL);
    close(r->stop_fd);
    free(r);
    return -rc;
}
