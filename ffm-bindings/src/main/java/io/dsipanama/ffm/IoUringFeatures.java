package io.dsipanama.ffm;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.dsipanama.ffm.Liburing.IO_URING_PROBE;
import static io.dsipanama.ffm.Liburing.IO_URING_PROBE_OP;
import static io.dsipanama.ffm.Liburing.IO_URING_RECVMSG_OUT;

/**
 * What io_uring can do on this machine, probed for real once per process (STYLE.md rule 16): each
 * feature is exercised, not inferred from the kernel version, and everything opened is closed again.
 *
 * <table>
 * <caption>Features, by stable name</caption>
 * <tr><th>name</th><th>how it is probed</th><th>kernel</th></tr>
 * <tr><td>io_uring</td><td>io_uring_queue_init_params succeeds; detail: the {@code IORING_FEAT_*} mask</td>
 *     <td>5.1</td></tr>
 * <tr><td>io_uring_send_zc</td><td>opcode probe (io_uring_get_probe_ring)</td><td>6.0</td></tr>
 * <tr><td>io_uring_sendmsg_zc</td><td>opcode probe</td><td>6.1</td></tr>
 * <tr><td>io_uring_recv_multishot</td><td>a multishot RECVMSG with a buffer group receives a loopback
 *     UDP datagram and stays armed ({@code IORING_CQE_F_MORE})</td><td>6.0</td></tr>
 * <tr><td>io_uring_buf_ring</td><td>registers and unregisters a small provided-buffer ring</td><td>5.19</td></tr>
 * <tr><td>io_uring_single_issuer</td><td>setup with {@code IORING_SETUP_SINGLE_ISSUER}</td><td>6.0</td></tr>
 * <tr><td>io_uring_defer_taskrun</td><td>setup with {@code SINGLE_ISSUER | DEFER_TASKRUN}</td><td>6.1</td></tr>
 * <tr><td>io_uring_sqpoll</td><td>setup with {@code IORING_SETUP_SQPOLL} (unprivileged since 5.11)</td>
 *     <td>5.1</td></tr>
 * <tr><td>io_uring_futex_wait</td><td>a FUTEX_WAIT on a word holding another value completes with
 *     {@code -EAGAIN}; one on the value it holds stays pending until a futex(2) FUTEX_WAKE, then completes
 *     with 0</td><td>6.7</td></tr>
 * </table>
 */
public final class IoUringFeatures {
    private static final int PROBE_ENTRIES = 8;
    private static final int MULTISHOT_BGID = 7;
    private static final long MULTISHOT_WAIT_NS = TimeUnit.SECONDS.toNanos(2);

    private static final VarHandle PROBE_LAST_OP = IO_URING_PROBE.varHandle(Liburing.path(IO_URING_PROBE, "last_op"));
    private static final VarHandle PROBE_OPS_LEN = IO_URING_PROBE.varHandle(Liburing.path(IO_URING_PROBE, "ops_len"));
    private static final long PROBE_OPS = IO_URING_PROBE.byteOffset(Liburing.path(IO_URING_PROBE, "ops"));
    private static final VarHandle OP_FLAGS = IO_URING_PROBE_OP.varHandle(Liburing.path(IO_URING_PROBE_OP, "flags"));
    private static final VarHandle OUT_PAYLOADLEN =
            IO_URING_RECVMSG_OUT.varHandle(Liburing.path(IO_URING_RECVMSG_OUT, "payloadlen"));

    private IoUringFeatures() {
    }

    /** The features, probed on first call; the same immutable list afterwards. */
    public static List<Feature> features() {
        return Holder.FEATURES;
    }

    private static final class Holder {
        static final List<Feature> FEATURES = probe();
    }

    /** Probes afresh (tests use it to check that probing leaves nothing open). */
    static List<Feature> probe() {
        List<Feature> out = new ArrayList<>();
        String[] rest = {"io_uring_send_zc", "io_uring_sendmsg_zc", "io_uring_recv_multishot", "io_uring_buf_ring",
                "io_uring_single_issuer", "io_uring_defer_taskrun", "io_uring_sqpoll", "io_uring_futex_wait"};
        try (IoUring ring = new IoUring(PROBE_ENTRIES, 0)) {
            out.add(Feature.yes("io_uring", String.format("features=0x%x (sq %d, cq %d entries)",
                    ring.features(), ring.sqEntries(), ring.cqEntries())));
            out.add(opcode(ring, "io_uring_send_zc", Liburing.IORING_OP_SEND_ZC));
            out.add(opcode(ring, "io_uring_sendmsg_zc", Liburing.IORING_OP_SENDMSG_ZC));
        } catch (ErrnoException e) {
            out.add(Feature.no("io_uring", e.getMessage()));
            for (String name : rest) {
                out.add(Feature.no(name, "io_uring is unavailable"));
            }
            return List.copyOf(out);
        }
        out.add(recvMultishot());
        out.add(bufRing());
        out.add(setup("io_uring_single_issuer", Liburing.IORING_SETUP_SINGLE_ISSUER));
        out.add(setup("io_uring_defer_taskrun",
                Liburing.IORING_SETUP_SINGLE_ISSUER | Liburing.IORING_SETUP_DEFER_TASKRUN));
        out.add(setup("io_uring_sqpoll", Liburing.IORING_SETUP_SQPOLL));
        out.add(futexWait());
        return List.copyOf(out);
    }

    @SuppressWarnings("restricted")
    private static Feature opcode(IoUring ring, String name, int op) {
        MemorySegment probe = Liburing.io_uring_get_probe_ring(ring.ring());
        if (probe.address() == 0L) {
            return Feature.no(name, "io_uring_get_probe_ring failed (IORING_REGISTER_PROBE needs Linux 5.6)");
        }
        try {
            MemorySegment header = probe.reinterpret(IO_URING_PROBE.byteSize());
            int lastOp = Byte.toUnsignedInt((byte) PROBE_LAST_OP.get(header, 0L));
            int opsLen = Byte.toUnsignedInt((byte) PROBE_OPS_LEN.get(header, 0L));
            MemorySegment p = probe.reinterpret(PROBE_OPS + opsLen * IO_URING_PROBE_OP.byteSize());
            if (op > lastOp || op >= opsLen) {
                return Feature.no(name, "opcode " + op + " unknown to this kernel (last op " + lastOp + ")");
            }
            int flags = Short.toUnsignedInt((short) OP_FLAGS.get(p, PROBE_OPS + op * IO_URING_PROBE_OP.byteSize()));
            return (flags & Liburing.IO_URING_OP_SUPPORTED) != 0
                    ? Feature.yes(name, "opcode " + op + " supported (last op " + lastOp + ")")
                    : Feature.no(name, "opcode " + op + " not supported");
        } finally {
            Liburing.io_uring_free_probe(probe);
        }
    }

    private static Feature setup(String name, int flags) {
        try (IoUring ring = new IoUring(PROBE_ENTRIES, flags, 0, 10, -1)) {
            return Feature.yes(name, String.format("setup flags 0x%x accepted", ring.setupFlags()));
        } catch (ErrnoException e) {
            return Feature.no(name, e.getMessage());
        }
    }

    private static Feature bufRing() {
        String name = "io_uring_buf_ring";
        try (IoUring ring = new IoUring(PROBE_ENTRIES, 0);
             IoUringBufRing buffers = new IoUringBufRing(ring, 0, 8, 64)) {
            return Feature.yes(name, "registered group " + buffers.bgid() + " of " + buffers.entries()
                    + " buffers, then unregistered");
        } catch (ErrnoException e) {
            return Feature.no(name, e.getMessage());
        }
    }

    /**
     * A multishot RECVMSG on a loopback UDP socket, then one datagram: a kernel without multishot recvmsg
     * answers -EINVAL at once; one with it delivers the datagram into a provided buffer and sets F_MORE.
     */
    private static Feature recvMultishot() {
        String name = "io_uring_recv_multishot";
        int receiver = -1;
        int sender = -1;
        try (Arena arena = Arena.ofConfined();
             IoUring ring = new IoUring(PROBE_ENTRIES, 0);
             IoUringBufRing buffers = new IoUringBufRing(ring, MULTISHOT_BGID, 4, 256)) {
            InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
            receiver = Socket.socket(Socket.AF_INET, Socket.SOCK_DGRAM | Socket.SOCK_CLOEXEC, 0);
            Socket.bind(receiver, loopback);
            sender = Socket.socket(Socket.AF_INET, Socket.SOCK_DGRAM | Socket.SOCK_CLOEXEC, 0);
            Socket.connect(sender, Socket.localAddress(receiver));

            MemorySegment msghdr = arena.allocate(Socket.MSGHDR);
            int namelen = (int) Socket.SOCKADDR_IN.byteSize();
            Socket.msghdr(msghdr, MemorySegment.NULL, namelen, MemorySegment.NULL, 0, MemorySegment.NULL, 0);
            long sqe = ring.nextSqe();
            ring.prepRecvmsgMultishot(sqe, receiver, msghdr, 0, MULTISHOT_BGID, 1L);
            ring.submit();
            MemorySegment payload = arena.allocateFrom("multishot probe");
            Socket.send(sender, payload, 0);

            int[] result = new int[3];
            long deadline = System.nanoTime() + MULTISHOT_WAIT_NS;
            while (ring.forEachCqe((userData, res, flags) -> {
                result[0] = 1;
                result[1] = res;
                result[2] = flags;
            }, 1) == 0) {
                long leftNs = deadline - System.nanoTime();
                if (leftNs <= 0) {
                    return Feature.no(name, "no completion for a multishot RECVMSG within "
                            + TimeUnit.NANOSECONDS.toMillis(MULTISHOT_WAIT_NS) + " ms");
                }
                ring.submitAndWait(1, leftNs);
            }
            int res = result[1];
            int flags = result[2];
            if (res < 0) {
                return Feature.no(name, "multishot RECVMSG failed: " + Errno.name(-res) + " ("
                        + Errno.describe(-res) + ")");
            }
            if ((flags & Liburing.IORING_CQE_F_BUFFER) == 0 || (flags & Liburing.IORING_CQE_F_MORE) == 0) {
                return Feature.no(name, String.format("RECVMSG completed as a single shot (flags 0x%x)", flags));
            }
            int bid = flags >>> Liburing.IORING_CQE_BUFFER_SHIFT;
            int payloadLen = (int) OUT_PAYLOADLEN.get(buffers.buffer(bid), 0L);
            return Feature.yes(name, "a " + payloadLen + "-byte datagram arrived in provided buffer " + bid
                    + " with the request still armed");
        } catch (ErrnoException e) {
            return Feature.no(name, e.getMessage());
        } finally {
            if (receiver >= 0) {
                Unistd.close(receiver);
            }
            if (sender >= 0) {
                Unistd.close(sender);
            }
        }
    }

    /**
     * Two FUTEX_WAITs on a word holding 0: expecting 1 must complete at once with {@code -EAGAIN} (a kernel
     * without the opcode answers {@code -EINVAL}); expecting 0 must stay pending until a futex(2) FUTEX_WAKE on
     * the word, which must find it as a waiter, and then complete with 0.
     */
    private static Feature futexWait() {
        String name = "io_uring_futex_wait";
        int flags = Futex.FUTEX2_SIZE_U32;
        try (Arena arena = Arena.ofConfined();
             IoUring ring = new IoUring(PROBE_ENTRIES, 0)) {
            MemorySegment word = arena.allocate(4, 64);
            ring.prepFutexWait(ring.nextSqe(), word, 0, 1, flags, 1L);
            int res = oneCompletion(ring);
            if (res != -Errno.EAGAIN) {
                return Feature.no(name, res == -Errno.EINVAL
                        ? "FUTEX_WAIT (opcode " + Liburing.IORING_OP_FUTEX_WAIT + ") refused with EINVAL: Linux < 6.7"
                        : "FUTEX_WAIT on a mismatching value gave " + describe(res) + ", not EAGAIN");
            }
            ring.prepFutexWait(ring.nextSqe(), word, 0, 0, flags, 2L);
            ring.submit();
            int woken = ring.cqReady() == 0 ? Futex.wake(word, 0, 1) : 0;
            if (woken != 1) {
                ring.prepCancel(ring.nextSqe(), 2L, 0, 3L);
                oneCompletion(ring);
                return Feature.no(name, "the armed FUTEX_WAIT was not a waiter of the word (FUTEX_WAKE woke " + woken + ")");
            }
            res = oneCompletion(ring);
            return res == 0 ? Feature.yes(name, "a FUTEX_WAIT on a word completed on FUTEX_WAKE; a mismatch gave EAGAIN")
                    : Feature.no(name, "a woken FUTEX_WAIT completed with " + describe(res));
        } catch (ErrnoException e) {
            return Feature.no(name, e.getMessage());
        }
    }

    /** Submits and returns the res of the next completion (Integer.MIN_VALUE if none within the probe's wait). */
    private static int oneCompletion(IoUring ring) {
        int[] res = {Integer.MIN_VALUE};
        long deadline = System.nanoTime() + MULTISHOT_WAIT_NS;
        ring.submit();
        while (ring.forEachCqe((userData, r, f) -> res[0] = r, 1) == 0) {
            long leftNs = deadline - System.nanoTime();
            if (leftNs <= 0) {
                break;
            }
            ring.submitAndWait(1, leftNs);
        }
        return res[0];
    }

    private static String describe(int res) {
        return res == Integer.MIN_VALUE ? "no completion" : res < 0 ? Errno.name(-res) : Integer.toString(res);
    }
}
