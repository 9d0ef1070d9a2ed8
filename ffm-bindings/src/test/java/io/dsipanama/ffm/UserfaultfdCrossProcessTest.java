package io.dsipanama.ffm;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.dsipanama.ffm.UffdTestSupport.Event;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The page-fault notification of DESIGN.md ("reclaim ... consumer told by a page fault"), across two real
 * processes: this JVM is the consumer with a read-only, pre-faulted view of a memfd registered with a
 * userfaultfd and served by the native {@link UffdResolver}; a child JVM is the producer that punches
 * holes in the file (and rewrites pages) through its own mapping. Java touches registered pages only
 * while the resolver runs, so no access can block for good.
 */
@Timeout(90)
class UserfaultfdCrossProcessTest {
    private static final Duration CHILD_TIMEOUT = Duration.ofSeconds(60);
    private static final int PAGES = 4;
    private static final long PAGE = Unistd.pageSize();

    @Test
    void aHolePunchedByAnotherProcessFaultsIntoTheResolverAndReadsZeros() throws Exception {
        try (Watched w = new Watched(); ChildJvm child = w.child()) {
            child.expect("ready", CHILD_TIMEOUT);
            assertPage(w.mapping, 0, original(0));
            assertEquals(List.of(), UffdTestSupport.drain(w.resolver), "the pre-faulted page 0 raised an event");

            child.send("punch 1");
            child.expect("punched 1", CHILD_TIMEOUT);
            assertEquals(0, w.resolver.events(), "a hole punched elsewhere is not an event until we touch it");

            assertPage(w.mapping, 1, (byte) 0); // blocks in the fault until the resolver fills the hole
            List<Event> events = UffdTestSupport.drain(w.resolver); // recorded before the read was let go
            System.out.println("punch, then read: mode=0x" + Long.toHexString(w.mode) + " events=" + events);
            assertEquals(1, events.size(), () -> "one fault for page 1: " + events);
            Event e = events.getFirst();
            assertEquals(w.mapping.address() + PAGE, e.address(), () -> "fault address " + e);
            assertEquals(w.mapping.address() + 2 * PAGE, e.end());
            assertEquals(UffdResolver.DSI_UFFD_EVENT_MISSING, e.kind(), () -> "a punched page is absent: " + e);
            assertEquals(w.readerTid, e.tid(), "the kernel names the reading thread");

            assertPage(w.mapping, 0, original(0));
            assertPage(w.mapping, 1, (byte) 0);
            assertPage(w.mapping, 2, original(2));
            assertEquals(List.of(), UffdTestSupport.drain(w.resolver), "untouched or resolved pages raised events");
            assertEquals(1, w.resolver.faults());
            assertEquals(0, w.resolver.resolveErrors(), () -> "last error " + w.resolver.lastError());
            assertEquals(0, w.resolver.lost());

            child.send("exit");
            child.expect("bye", CHILD_TIMEOUT);
            assertEquals(0, child.waitFor(CHILD_TIMEOUT));
        }
    }

    @Test
    void aPageRewrittenByAnotherProcessRaisesMinorAndReadsTheNewContent() throws Exception {
        try (Watched w = new Watched(); ChildJvm child = w.child()) {
            assumeTrue((w.mode & Userfaultfd.UFFDIO_REGISTER_MODE_MINOR) != 0,
                    "UFFD_FEATURE_MINOR_SHMEM not offered: " + w.api);
            child.expect("ready", CHILD_TIMEOUT);

            child.send("rewrite 2 90");
            child.expect("rewritten 2", CHILD_TIMEOUT);
            assertEquals(0, w.resolver.events());

            assertPage(w.mapping, 2, (byte) 90);
            List<Event> events = UffdTestSupport.drain(w.resolver);
            System.out.println("punch + rewrite, then read: mode=0x" + Long.toHexString(w.mode) + " events=" + events);
            assertEquals(1, events.size(), () -> "one fault for page 2: " + events);
            Event e = events.getFirst();
            assertEquals(w.mapping.address() + 2 * PAGE, e.address(), () -> "fault address " + e);
            assertEquals(UffdResolver.DSI_UFFD_EVENT_MINOR, e.kind(), () -> "the new page is in the page cache: " + e);

            assertPage(w.mapping, 2, (byte) 90);
            assertPage(w.mapping, 1, original(1));
            assertEquals(List.of(), UffdTestSupport.drain(w.resolver));
            assertEquals(0, w.resolver.resolveErrors(), () -> "last error " + w.resolver.lastError());

            child.send("exit");
            assertEquals(0, child.waitFor(CHILD_TIMEOUT));
        }
    }

    private static byte original(int page) {
        return (byte) (0x10 + page);
    }

    /** Reads the whole page from Java and checks every byte. */
    private static void assertPage(MemorySegment mapping, int page, byte expected) {
        byte[] bytes = mapping.asSlice(page * PAGE, PAGE).toArray(JAVA_BYTE);
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] != expected) {
                throw new AssertionError("page " + page + " byte " + i + " is " + bytes[i] + ", expected " + expected);
            }
        }
    }

    /**
     * The consumer's side: a memfd filled with one byte value per page, mapped read-only and pre-faulted,
     * registered in MINOR|MISSING mode (MISSING alone without MINOR_SHMEM), with a running resolver. Closes
     * the resolver, then the uffd, then the mapping and the memfd.
     */
    private static final class Watched implements AutoCloseable {
        final int memfd;
        final Arena arena = Arena.ofShared();
        final MemorySegment mapping;
        final int uffd;
        final Userfaultfd.Api api;
        final long mode;
        final UffdResolver resolver;
        final int readerTid = Unistd.gettid();
        private boolean closed;

        Watched() {
            long size = PAGES * PAGE;
            int fd = -1;
            int u = -1;
            try {
                fd = Mman.memfd_create("dsi-uffd-xproc", Mman.MFD_CLOEXEC);
                Unistd.ftruncate(fd, size);
                try (Arena writer = Arena.ofConfined()) {
                    MemorySegment w = Mman.map(writer, size, Mman.PROT_READ | Mman.PROT_WRITE, Mman.MAP_SHARED, fd, 0);
                    for (int p = 0; p < PAGES; p++) {
                        w.asSlice(p * PAGE, PAGE).fill(original(p));
                    }
                }
                mapping = Mman.map(arena, size, Mman.PROT_READ, Mman.MAP_SHARED, fd, 0);
                assertEquals(0, Mman.madvise(mapping, size, Mman.MADV_POPULATE_READ));
                u = Userfaultfd.userfaultfd(Fcntl.O_CLOEXEC | Fcntl.O_NONBLOCK);
                api = Userfaultfd.api(u, Userfaultfd.UFFD_FEATURE_THREAD_ID);
                assertTrue(api.has(Userfaultfd.UFFD_FEATURE_MISSING_SHMEM), () -> "no MISSING_SHMEM: " + api);
                mode = Userfaultfd.UFFDIO_REGISTER_MODE_MISSING
                        | (api.has(Userfaultfd.UFFD_FEATURE_MINOR_SHMEM) ? Userfaultfd.UFFDIO_REGISTER_MODE_MINOR : 0);
                Userfaultfd.register(u, mapping, size, mode);
                resolver = UffdResolver.start(u, 64);
                memfd = fd;
                uffd = u;
            } catch (RuntimeException | Error e) {
                if (u >= 0) {
                    Unistd.close(u);
                }
                arena.close();
                if (fd >= 0) {
                    Unistd.close(fd);
                }
                throw e;
            }
        }

        ChildJvm child() {
            return ChildJvm.start(UffdPunchChild.class, "/proc/" + Unistd.getpid() + "/fd/" + memfd,
                    Long.toString(PAGE), Integer.toString(PAGES));
        }

        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            resolver.close();
            Unistd.close(uffd);
            arena.close();
            Unistd.close(memfd);
        }
    }
}
