package io.dsipanama.ffm;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a ring's registered eventfd says, on the real kernel: on a {@code SINGLE_ISSUER | DEFER_TASKRUN} ring a
 * datagram arriving for a pending RECV signals the eventfd <em>before</em> its CQE exists (the completion is
 * task work waiting for the submitter); entering the kernel posts it. The ASYNC variant stays silent for the
 * same socket completion (only io-wq workers signal it). Only the submitter may register.
 */
@Timeout(30)
class IoUringEventfdTest {
    private static final InetSocketAddress LOOPBACK = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    private static final int FLAGS = Liburing.IORING_SETUP_SINGLE_ISSUER | Liburing.IORING_SETUP_DEFER_TASKRUN;

    private long openBefore;
    private int rx = -1;
    private int efd = -1;

    @org.junit.jupiter.api.BeforeAll
    static void warmNio() throws IOException {
        // the JDK keeps a socket of its own open after the first DatagramChannel: make it before counting
        DatagramChannel.open().close();
    }

    @BeforeEach
    void open() {
        openBefore = OpenFds.socketsAndRings();
        rx = SocketTest.udp(Socket.AF_INET);
        Socket.bind(rx, LOOPBACK);
        efd = Eventfd.eventfd(0, Eventfd.EFD_CLOEXEC | Eventfd.EFD_NONBLOCK);
    }

    @AfterEach
    void close() {
        Unistd.close(rx);
        Unistd.close(efd);
        long deadline = System.nanoTime() + 2_000_000_000L; // a ring's file goes away after its release work ran
        while (OpenFds.socketsAndRings() != openBefore && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertEquals(openBefore, OpenFds.socketsAndRings(), "sockets or rings left open: " + listing());
    }

    @Test
    void aDeferredCompletionSignalsTheEventfdBeforeItsCqeIsPosted() throws IOException {
        try (IoUring ring = new IoUring(8, FLAGS); Arena arena = Arena.ofConfined()) {
            ring.registerEventfd(efd, false);
            MemorySegment buf = arena.allocate(256);
            ring.prepRecv(ring.nextSqe(), rx, buf, 0, 7);
            ring.submit();
            assertEquals(0, readable(efd, 50), "nothing arrived yet");
            send(3);
            assertEquals(1, readable(efd, 5_000), "the datagram's task work signals the eventfd");
            assertEquals(0, ring.cqReady(), "DEFER_TASKRUN: no CQE until the submitter enters the kernel");
            assertTrue(Eventfd.drain(efd) >= 1);
            ring.getEvents();
            long[] seen = new long[2];
            assertEquals(1, ring.forEachCqe((data, res, flags) -> {
                seen[0] = data;
                seen[1] = res;
            }));
            assertEquals(7, seen[0]);
            assertEquals(3, seen[1]);
            // posting the CQE (inside getEvents) signalled it once more: a reaper sees its own completions
            assertEquals(1, readable(efd, 0), "posting the completion signals again");
            Eventfd.drain(efd);
            ring.unregisterEventfd();
            ring.prepRecv(ring.nextSqe(), rx, buf, 0, 8);
            ring.submit();
            send(4);
            assertEquals(0, readable(efd, 200), "unregistered: no signal");
            ring.getEvents();
            assertEquals(1, ring.forEachCqe((data, res, flags) -> { }));
        }
    }

    @Test
    void theAsyncVariantStaysSilentForASocketCompletion() throws IOException {
        try (IoUring ring = new IoUring(8, FLAGS); Arena arena = Arena.ofConfined()) {
            ring.registerEventfd(efd, true);
            ring.prepRecv(ring.nextSqe(), rx, arena.allocate(256), 0, 7);
            ring.submit();
            send(5);
            assertEquals(0, readable(efd, 300), "IORING_REGISTER_EVENTFD_ASYNC: no io-wq worker, no signal");
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (ring.cqReady() == 0 && System.nanoTime() < deadline) {
                ring.submitAndWait(1, 100_000_000L);
            }
            assertEquals(1, ring.forEachCqe((data, res, flags) -> { }), "the completion itself did happen");
        }
    }

    @Test
    void onlyTheSubmitterRegisters() throws Exception {
        try (IoUring ring = new IoUring(8, FLAGS)) {
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            Thread other = Thread.ofPlatform().start(() -> {
                try {
                    ring.registerEventfd(efd, false);
                } catch (Throwable t) {
                    thrown.set(t);
                }
            });
            other.join();
            ErrnoException e = assertInstanceOf(ErrnoException.class, thrown.get());
            assertEquals(Errno.EEXIST, e.errno(), e.getMessage());
        }
    }

    @Test
    void aSecondRegistrationIsRefused() {
        try (IoUring ring = new IoUring(8, FLAGS)) {
            ring.registerEventfd(efd, false);
            ErrnoException e = assertThrows(ErrnoException.class, () -> ring.registerEventfd(efd, false));
            assertEquals(Errno.EBUSY, e.errno(), e.getMessage());
        }
    }

    private static String listing() {
        try (var fds = java.nio.file.Files.list(java.nio.file.Path.of("/proc/self/fd"))) {
            return fds.map(p -> {
                try {
                    return java.nio.file.Files.readSymbolicLink(p).toString();
                } catch (IOException e) {
                    return "?";
                }
            }).filter(t -> t.startsWith("socket:") || t.contains("io_uring")).toList().toString();
        } catch (IOException e) {
            return e.toString();
        }
    }

    private void send(int bytes) throws IOException {
        try (DatagramChannel ch = DatagramChannel.open()) {
            ch.send(ByteBuffer.allocate(bytes), Socket.localAddress(rx));
        }
    }

    private static int readable(int fd, int timeoutMs) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment fds = arena.allocate(Poll.POLLFD);
            Poll.pollfd(fds, 0, fd, Poll.POLLIN);
            return Poll.poll(fds, 1, timeoutMs);
        }
    }
}
