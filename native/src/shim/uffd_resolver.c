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
#include "dsi_shim.h"
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

static void count(uint64_t *counter)
{
    __atomic_fetch_add(counter, 1, __ATOMIC_RELAXED);
}

static void record(struct resolver *r, uint32_t kind, uint64_t address, uint64_t end, uint32_t tid)
{
    struct dsi_uffd_ring *ring = r->ring;
    uint64_t tail = ring->tail; /* only this thread writes tail */
    /* pairs with the consumer's release store of head: the slot at tail - capacity is no longer read */
    uint64_t head = __atomic_load_n(&ring->head, __ATOMIC_ACQUIRE);
    count(&ring->events);
    if (tail - head >= ring->capacity) {
        count(&ring->lost);
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
    count(&r->ring->resolve_errors);
    __atomic_store_n(&r->ring->last_error, -(int64_t)err, __ATOMIC_RELAXED);
}

/* The thread ends: faults in registered ranges block from now on, so say why where Java can see it. */
static void *died(struct resolver *r, int err)
{
    failed(r, err);
    __atomic_store_n(&r->ring->state, DSI_UFFD_STATE_FAILED, __ATOMIC_RELEASE);
    return NULL;
}

/*
 * A failed resolution is a lost race when the page got there anyway (EEXIST), the address space is
 * changing under a non-cooperative event (EAGAIN), or, for CONTINUE, the page left the page cache
 * between the fault and the ioctl (EFAULT/ENOENT: a hole was punched again). Waking the thread makes
 * it retry the access, which faults again with the right kind if it still has to.
 */
static int lost_race(uint32_t kind, int err)
{
    return err == EEXIST || err == EAGAIN || (kind == DSI_UFFD_EVENT_MINOR && (err == EFAULT || err == ENOENT));
}

static void resolve_fault(struct resolver *r, const struct uffd_msg *msg)
{
    uint64_t size = r->ring->page_size;
    uint64_t page = msg->arg.pagefault.address & ~(size - 1);
    uint64_t flags = msg->arg.pagefault.flags;
    uint32_t tid = msg->arg.pagefault.feat.ptid;
    uint32_t kind = (flags & UFFD_PAGEFAULT_FLAG_WP) ? DSI_UFFD_EVENT_WP
                  : (flags & UFFD_PAGEFAULT_FLAG_MINOR) ? DSI_UFFD_EVENT_MINOR
                  : DSI_UFFD_EVENT_MISSING;
    count(&r->ring->faults);
    /* Recorded before the ioctl wakes the faulting thread: once its access completes, the event is visible. */
    record(r, kind, page, page + size, tid);
    int rc;
    if (kind == DSI_UFFD_EVENT_WP) {
        struct uffdio_writeprotect wp = { .range = { page, size }, .mode = 0 };
        rc = ioctl(r->uffd, UFFDIO_WRITEPROTECT, &wp);
    } else if (kind == DSI_UFFD_EVENT_MINOR) {
        struct uffdio_continue c = { .range = { page, size }, .mode = 0 };
        rc = ioctl(r->uffd, UFFDIO_CONTINUE, &c);
    } else {
        struct uffdio_zeropage z = { .range = { page, size }, .mode = 0 };
        rc = ioctl(r->uffd, UFFDIO_ZEROPAGE, &z);
    }
    if (rc < 0) {
        /* The kernel wakes the faulting thread only when the ioctl succeeds (not on EEXIST either). */
        int err = errno;
        struct uffdio_range range = { page, size };
        if (lost_race(kind, err)) {
            count(&r->ring->retries);
        } else {
            /*
             * Waking alone would livelock on a lasting error (fault, fail, wake, fault...). Give the page
             * up instead: the retried access is then served by the kernel as if nothing watched it.
             * Unregistering wakes MISSING waiters only, hence the wake below in every case.
             */
            failed(r, err);
            ioctl(r->uffd, UFFDIO_UNREGISTER, &range);
        }
        ioctl(r->uffd, UFFDIO_WAKE, &range);
    }
}

static void *resolver_main(void *arg)
{
    struct resolver *r = arg;
    struct pollfd fds[2] = { { .fd = r->uffd, .events = POLLIN }, { .fd = r->stop_fd, .events = POLLIN } };
    for (;;) {
        if (poll(fds, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            return died(r, errno);
        }
        if (fds[0].revents & POLLNVAL)
            return died(r, EBADF);
        if (fds[0].revents & (POLLERR | POLLHUP))
            return died(r, EINVAL);
        /* Faults already queued are served before a stop takes effect: their threads are not left waiting. */
        struct uffd_msg msgs[16];
        ssize_t n = (fds[0].revents & POLLIN) ? read(r->uffd, msgs, sizeof msgs) : 0;
        if (n < 0) {
            if (errno != EAGAIN && errno != EINTR) /* EAGAIN: a fault woken before we read it */
                return died(r, errno);
            n = 0;
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
            case UFFD_EVENT_FORK:
                /* We resolve this process only; closing the child's uffd unregisters its ranges. */
                close((int)m->arg.fork.ufd);
                record(r, DSI_UFFD_EVENT_OTHER, 0, 0, 0);
                break;
            case UFFD_EVENT_REMAP:
                record(r, DSI_UFFD_EVENT_OTHER, m->arg.remap.from, m->arg.remap.to, 0);
                break;
            default: /* UFFD_EVENT_UNMAP shares the remove layout */
                record(r, DSI_UFFD_EVENT_OTHER, m->arg.remove.start, m->arg.remove.end, 0);
                break;
            }
        }
        if (fds[1].revents) {
            __atomic_store_n(&r->ring->state, DSI_UFFD_STATE_STOPPED, __ATOMIC_RELEASE);
            return NULL;
        }
    }
}

/*
 * Starts a resolver on uffd, which must be O_NONBLOCK and past the UFFDIO_API handshake (else
 * -EINVAL: the kernel's poll would report POLLERR forever and no fault would ever be resolved).
 * ring must stay valid until dsi_uffd_resolver_stop returns. Returns an opaque handle (> 0) or -errno.
 */
DSI_EXPORT long dsi_uffd_resolver_start(int32_t uffd, struct dsi_uffd_ring *ring, uint32_t capacity,
                                        int32_t notify_fd)
{
    if (capacity == 0 || (capacity & (capacity - 1)) != 0 || ring == NULL)
        return -EINVAL;
    struct pollfd check = { .fd = uffd, .events = POLLIN };
    if (poll(&check, 1, 0) < 0)
        return -errno;
    if (check.revents & POLLNVAL)
        return -EBADF;
    if (check.revents & POLLERR)
        return -EINVAL;
    struct resolver *r = calloc(1, sizeof *r);
    if (r == NULL)
        return -ENOMEM;
    memset(ring, 0, sizeof *ring);
    ring->capacity = capacity;
    ring->page_size = (uint32_t)sysconf(_SC_PAGESIZE);
    ring->state = DSI_UFFD_STATE_RUNNING;
    r->uffd = uffd;
    r->notify_fd = notify_fd;
    r->ring = ring;
    r->stop_fd = eventfd(0, EFD_CLOEXEC);
    if (r->stop_fd < 0) {
        int err = errno;
        free(r);
        return -err;
    }
    /*
     * The thread inherits this mask, so it blocks every signal from its first instruction: it never
     * runs a JVM signal handler, and process-directed signals go to threads the JVM knows.
     */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int rc = pthread_create(&r->thread, NULL, resolver_main, r);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0) {
        close(r->stop_fd);
        free(r);
        return -rc;
    }
    pthread_setname_np(r->thread, "dsi-uffd");
    return (long)(intptr_t)r;
}

/*
 * Stops the resolver and waits for its thread to end; call it once per handle. The uffd stays open
 * (the caller owns it): a fault in a registered range blocks from now on until the uffd is closed.
 */
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
