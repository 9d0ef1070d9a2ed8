package io.dsipanama.ffm;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.dsipanama.ffm.UffdTestSupport.Event;
import io.dsipanama.ffm.UffdTestSupport.OwnedFd;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The userfaultfd bindings and the native resolver within one process, on the real kernel: the handshake,
 * error paths, write-protection faults and a full event ring. Every access to a registered page happens
 * while a resolver runs, and every resource is closed resolver first, then uffd, then mapping.
 */
@Timeout(60)
class UserfaultfdTest {
    private static final long PAGE = Unistd.pageSize();
    private static final int NONBLOCK = Fcntl.O_CLOEXEC | Fcntl.O_NONBLOCK;

    @Test
    void handshakeReportsWhatTheKernelOffersAndIsAllowedOnce() {
        try (OwnedFd uffd = new OwnedFd(Userfaultfd.userfaultfd(NONBLOCK))) {
            Userfaultfd.Api api = Userfaultfd.api(uffd.fd(), 0);
            System.out.println("UFFDIO_API: " + api);
            assertTrue(api.has(Userfaultfd.UFFD_FEATURE_MISSING_SHMEM), api::toString);
            assertTrue(api.has(Userfaultfd.UFFD_FEATURE_THREAD_ID), api::toString);
            long expected = (1L << Userfaultfd._UFFDIO_API) | (1L << Userfaultfd._UFFDIO_REGISTER)
                    | (1L << Userfaultfd._UFFDIO_UNREGISTER);
            assertEquals(expected, api.ioctls() & expected, api::toString);

            ErrnoException again = assertThrows(ErrnoException.class, () -> Userfaultfd.api(uffd.fd(), 0));
            assertEquals(Errno.EINVAL, again.errno());
            assertEquals("UFFDIO_API", again.call());
        }
    }

    @Test
    void bothDoorsOpenADescriptorForRoot() {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root");
        for (long fd : new long[] {Userfaultfd.userfaultfdSyscall(NONBLOCK), Userfaultfd.userfaultfdDevice(NONBLOCK)}) {
            assertTrue(fd >= 0, () -> Errno.name((int) -fd));
            try (OwnedFd uffd = new OwnedFd((int) fd)) {
                assertTrue(Userfaultfd.api(uffd.fd(), 0).has(Userfaultfd.UFFD_FEATURE_MISSING_SHMEM));
            }
        }
    }

    @Test
    void registeringAnUnalignedRangeFailsWithEinvalNamingTheCall() {
        try (Arena arena = Arena.ofConfined(); OwnedFd uffd = new OwnedFd(Userfaultfd.userfaultfd(NONBLOCK))) {
            MemorySegment mapping = anonymous(arena, 2);
            Userfaultfd.api(uffd.fd(), 0);
            ErrnoException e = assertThrows(ErrnoException.class, () -> Userfaultfd.register(uffd.fd(),
                    mapping.asSlice(1), PAGE, Userfaultfd.UFFDIO_REGISTER_MODE_MISSING));
            assertEquals(Errno.EINVAL, e.errno());
            assertEquals("UFFDIO_REGISTER", e.call());
            assertTrue(e.getMessage().startsWith("UFFDIO_REGISTER(fd=" + uffd.fd() + ", addr=0x"
                    + Long.toHexString(mapping.address() + 1) + ", len=" + PAGE + ", mode=0x1): EINVAL"), e.getMessage());
        }
    }

    @Test
    void theResolverRefusesADescriptorItCouldNotServe() {
        assertThrows(IllegalArgumentException.class, () -> UffdResolver.start(0, 3));
        // blocking descriptor: the kernel's poll reports POLLERR forever, faults would never be resolved
        try (OwnedFd blocking = new OwnedFd(Userfaultfd.userfaultfd(Fcntl.O_CLOEXEC))) {
            Userfaultfd.api(blocking.fd(), 0);
            ErrnoException e = assertThrows(ErrnoException.class, () -> UffdResolver.start(blocking.fd(), 8));
            assertEquals(Errno.EINVAL, e.errno());
            assertEquals("dsi_uffd_resolver_start", e.call());
        }
        // no handshake yet: same answer
        try (OwnedFd early = new OwnedFd(Userfaultfd.userfaultfd(NONBLOCK))) {
            assertEquals(Errno.EINVAL, assertThrows(ErrnoException.class, () -> UffdResolver.start(early.fd(), 8)).errno());
        }
    }

    @Test
    void writeToAWriteProtectedShmemPageIsRecordedAndCompletes() {
        Userfaultfd.Api api = probeApi();
        assumeTrue(api.has(Userfaultfd.UFFD_FEATURE_WP_HUGETLBFS_SHMEM),
                "no WP on shmem: " + api);
        try (OwnedFd memfd = new OwnedFd(Mman.memfd_create("dsi-uffd-wp", Mman.MFD_CLOEXEC));
             Arena arena = Arena.ofShared()) {
            Unistd.ftruncate(memfd.fd(), 2 * PAGE);
            MemorySegment mapping = Mman.map(arena, 2 * PAGE, Mman.PROT_READ | Mman.PROT_WRITE, Mman.MAP_SHARED,
                    memfd.fd(), 0);
            writeProtectedWrite(mapping);
        }
    }

    @Test
    void writeToAWriteProtectedAnonymousPageIsRecordedAndCompletes() {
        try (Arena arena = Arena.ofShared()) {
            writeProtectedWrite(anonymous(arena, 2));
        }
    }

    /** Populates two pages, protects page 1, writes to both from Java: one WP event, both writes land. */
    private static void writeProtectedWrite(MemorySegment mapping) {
        assertEquals(0, Mman.madvise(mapping, 2 * PAGE, Mman.MADV_POPULATE_WRITE));
        try (OwnedFd uffd = new OwnedFd(Userfaultfd.userfaultfd(NONBLOCK))) {
            Userfaultfd.api(uffd.fd(), Userfaultfd.UFFD_FEATURE_THREAD_ID);
            long ioctls = Userfaultfd.register(uffd.fd(), mapping, 2 * PAGE, Userfaultfd.UFFDIO_REGISTER_MODE_WP);
            assertTrue((ioctls & (1L << Userfaultfd._UFFDIO_WRITEPROTECT)) != 0, Long.toHexString(ioctls));
            assertEquals(0, Userfaultfd.writeprotect(uffd.fd(), mapping.asSlice(PAGE), PAGE,
                    Userfaultfd.UFFDIO_WRITEPROTECT_MODE_WP));
            try (UffdResolver resolver = UffdResolver.start(uffd.fd(), 16)) {
                mapping.set(JAVA_LONG, 8, 0x1111L);           // not protected: no event
                mapping.set(JAVA_LONG, PAGE + 8, 0x2222L);    // blocks until the resolver lifts the protection
                List<Event> events = UffdTestSupport.drain(resolver);
                System.out.println("write to a write-protected page: " + events);
                assertEquals(1, events.size(), events::toString);
                Event e = events.getFirst();
                assertEquals(UffdResolver.DSI_UFFD_EVENT_WP, e.kind(), e::toString);
                assertEquals(mapping.address() + PAGE, e.address());
                assertEquals(Unistd.gettid(), e.tid());
                assertTrue(e.timeNs() > 0);

                mapping.set(JAVA_LONG, PAGE + 16, 0x3333L);   // protection is gone: no second event
                assertEquals(List.of(), UffdTestSupport.drain(resolver));
                assertEquals(0x1111L, mapping.get(JAVA_LONG, 8));
                assertEquals(0x2222L, mapping.get(JAVA_LONG, PAGE + 8));
                assertEquals(0x3333L, mapping.get(JAVA_LONG, PAGE + 16));
                assertEquals(1, resolver.faults());
                assertEquals(0, resolver.resolveErrors(), () -> "last error " + resolver.lastError());
                assertEquals(UffdResolver.DSI_UFFD_STATE_RUNNING, resolver.state());
            }
        }
    }

    @Test
    void aFullRingCountsLostEventsButStillResolvesEveryFault() {
        try (Arena arena = Arena.ofShared(); OwnedFd uffd = new OwnedFd(Userfaultfd.userfaultfd(NONBLOCK))) {
            MemorySegment mapping = anonymous(arena, 4);
            Userfaultfd.api(uffd.fd(), 0);
            Userfaultfd.register(uffd.fd(), mapping, 4 * PAGE, Userfaultfd.UFFDIO_REGISTER_MODE_MISSING);
            UffdResolver resolver = UffdResolver.start(uffd.fd(), 2);
            try {
                for (int p = 0; p < 3; p++) {
                    assertEquals(0, mapping.get(JAVA_BYTE, p * PAGE)); // MISSING, resolved with the zero page
                }
                assertEquals(3, resolver.faults());
                assertEquals(3, resolver.events());
                assertEquals(1, resolver.lost());
                List<Event> events = UffdTestSupport.drain(resolver);
                assertEquals(List.of(mapping.address(), mapping.address() + PAGE),
                        events.stream().map(Event::address).toList());
                events.forEach(e -> assertEquals(UffdResolver.DSI_UFFD_EVENT_MISSING, e.kind(), e::toString));

                assertEquals(0, mapping.get(JAVA_BYTE, 3 * PAGE)); // room again: recorded
                assertEquals(List.of(mapping.address() + 3 * PAGE),
                        UffdTestSupport.drain(resolver).stream().map(Event::address).toList());
                assertEquals(0, resolver.resolveErrors());
            } finally {
                resolver.close();
            }
            resolver.close(); // idempotent
            assertEquals("UffdResolver[uffd=" + uffd.fd() + ", closed]", resolver.toString());
            assertThrows(IllegalStateException.class, resolver::faults); // the ring is freed
        }
    }

    @Test
    void aResolutionThatFailsGivesThePageUpSoTheAccessStillCompletes() throws Exception {
        try (Arena arena = Arena.ofShared(); OwnedFd uffd = new OwnedFd(Userfaultfd.userfaultfd(NONBLOCK))) {
            MemorySegment mapping = anonymous(arena, 2);
            Userfaultfd.api(uffd.fd(), 0);
            Userfaultfd.register(uffd.fd(), mapping, 2 * PAGE, Userfaultfd.UFFDIO_REGISTER_MODE_MISSING);
            // every UFFDIO_ZEROPAGE of the resolver fails with ENOMEM, as a memory limit would make it
            try (UffdResolver resolver = UffdTestSupport.startWithFailingIoctl(uffd.fd(), 8,
                    Userfaultfd.UFFDIO_ZEROPAGE, Errno.ENOMEM)) {
                assertEquals(0, mapping.get(JAVA_BYTE, PAGE + 5)); // without the give-up this would spin forever
                List<Event> events = UffdTestSupport.drain(resolver);
                assertEquals(1, events.size(), events::toString);
                assertEquals(mapping.address() + PAGE, events.getFirst().address());
                assertEquals(1, resolver.resolveErrors());
                assertEquals(-Errno.ENOMEM, resolver.lastError());
                assertEquals(0, resolver.retries());
                assertEquals(UffdResolver.DSI_UFFD_STATE_RUNNING, resolver.state());

                // page 1 is no longer watched: emptied again, its next touch raises nothing
                assertEquals(0, Mman.madvise(mapping.asSlice(PAGE), PAGE, Mman.MADV_DONTNEED));
                assertEquals(0, mapping.get(JAVA_BYTE, PAGE));
                assertEquals(List.of(), UffdTestSupport.drain(resolver));
                assertEquals(1, resolver.faults());
            }
        }
    }

    private static MemorySegment anonymous(Arena arena, int pages) {
        return Mman.map(arena, pages * PAGE, Mman.PROT_READ | Mman.PROT_WRITE,
                Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS, -1, 0);
    }

    private static Userfaultfd.Api probeApi() {
        try (OwnedFd uffd = new OwnedFd(Userfaultfd.userfaultfd(NONBLOCK))) {
            return Userfaultfd.api(uffd.fd(), 0);
        }
    }
}
