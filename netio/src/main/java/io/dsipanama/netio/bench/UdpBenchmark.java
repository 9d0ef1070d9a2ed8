package io.dsipanama.netio.bench;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import io.dsipanama.netio.FrameHeaderDescriptor;
import io.dsipanama.netio.NetContext;
import io.dsipanama.netio.NetCounter;
import io.dsipanama.netio.OutgoingFrame;
import io.dsipanama.netio.RingOwner;
import io.dsipanama.netio.UdpReceiver;
import io.dsipanama.netio.UdpSender;
import io.dsipanama.netio.UdpSockets;

/**
 * First UDP benchmark over loopback, netio against java.nio's DatagramChannel in the same run, both with the
 * same receive buffer: packets per second one way (sender thread, receiver thread) and round trip time
 * (ping-pong, both sides sleeping in the kernel between packets). Payload sizes 64 B and 1400 B; netio
 * datagrams carry its 48-byte header, so NIO sends datagrams of the same total size.
 *
 * <p>Usage: {@code UdpBenchmark [seconds per throughput run] [round trips]}. Not a unit test: it prints a
 * markdown table; see netio/README.md for the numbers of one run and how to read them.
 */
public final class UdpBenchmark {
    private static final InetSocketAddress LOOPBACK = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    /** The receive buffer both sides get: at most net.core.rmem_max, so NIO gets it without privileges. */
    static int receiveBufferBytes = 106_496;
    private static final long IDLE_NS = TimeUnit.MILLISECONDS.toNanos(1);

    private UdpBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 2.0;
        int trips = args.length > 1 ? Integer.parseInt(args[1]) : 20_000;
        System.out.println("| payload | netio received/s (sent/s) | NIO received/s (sent/s) | netio RTT p50/p99 us"
                + " | NIO RTT p50/p99 us |");
        System.out.println("|---|---|---|---|---|");
        for (int payload : new int[] {64, 1400}) {
            long[] netRate = netioRate(payload, seconds);
            long[] nioRate = nioRate(payload + FrameHeaderDescriptor.LENGTH, seconds);
            long[] netRtt = netioRtt(payload, trips);
            long[] nioRtt = nioRtt(payload + FrameHeaderDescriptor.LENGTH, trips);
            System.out.printf("| %d B | %,d (%,d) | %,d (%,d) | %.1f / %.1f | %.1f / %.1f |%n", payload, netRate[0],
                    netRate[1], nioRate[0], nioRate[1], pct(netRtt, 50), pct(netRtt, 99), pct(nioRtt, 50),
                    pct(nioRtt, 99));
        }
        System.out.println("receive buffer: " + receiveBufferBytes + " B asked on both sides (the kernel reports double)");
    }

    static double pct(long[] sortedNs, int p) {
        return sortedNs[(int) Math.min(sortedNs.length - 1, (long) sortedNs.length * p / 100)] / 1000.0;
    }

    static NetContext ctx() {
        return new NetContext().socketBufferBytes(receiveBufferBytes).dispatchBudget(1024);
    }

    /** Runs {@code body} on a thread of its own (a ring belongs to its thread) and waits for it. */
    static Thread start(String name, ThrowingRunnable body, AtomicReference<Throwable> error) {
        Thread t = new Thread(() -> {
            try {
                body.run();
            } catch (Throwable e) {
                error.compareAndSet(null, e);
            }
        }, name);
        t.start();
        return t;
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }

    static long[] netioRate(int payload, double seconds) throws Exception {
        AtomicLong sent = new AtomicLong();
        AtomicReference<Throwable> error = new AtomicReference<>();
        AtomicReference<InetSocketAddress> address = new AtomicReference<>();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong received = new AtomicLong();
        CountDownLatch ready = new CountDownLatch(1);
        Thread rx = start("netio-rx", () -> {
            try (RingOwner owner = new RingOwner(ctx())) {
                UdpReceiver r = UdpReceiver.throughput(owner, LOOPBACK);
                long[] n = {0};
                r.handlerForAll((h, b, o, l) -> n[0]++);
                check(UdpSockets.receiveBuffer(r.socket()));
                address.set(r.localAddress());
                ready.countDown();
                while (!stop.get()) {
                    if (owner.doWork(System.nanoTime()) == 0) {
                        owner.idle(IDLE_NS);
                    }
                    received.setOpaque(n[0]);
                }
            }
        }, error);
        ready.await();
        Thread tx = start("netio-tx", () -> {
            try (Arena arena = Arena.ofShared(); RingOwner owner = new RingOwner(ctx().sendQueueFrames(512))) {
                MemorySegment p = arena.allocate(payload);
                UdpSender s = new UdpSender(owner, address.get(), (t, r) -> { });
                OutgoingFrame f = new OutgoingFrame().streamId(1);
                long seq = 0;
                while (!stop.get()) {
                    while (s.offer(f.sequence(seq), p, seq)) {
                        seq++;
                    }
                    owner.doWork(System.nanoTime());
                    sent.setOpaque(owner.counters().get(NetCounter.TX_DATAGRAMS));
                }
            }
        }, error);
        return measure(received, sent, seconds, stop, error, rx, tx);
    }

    static long[] nioRate(int datagram, double seconds) throws Exception {
        AtomicLong sent = new AtomicLong();
        AtomicReference<Throwable> error = new AtomicReference<>();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong received = new AtomicLong();
        DatagramChannel in = DatagramChannel.open().bind(LOOPBACK);
        in.setOption(StandardSocketOptions.SO_RCVBUF, receiveBufferBytes);
        InetSocketAddress to = (InetSocketAddress) in.getLocalAddress();
        Thread rx = start("nio-rx", () -> {
            ByteBuffer b = ByteBuffer.allocateDirect(65536);
            long n = 0;
            while (!stop.get()) {
                b.clear();
                try {
                    in.receive(b);
                } catch (IOException closed) {
                    break;
                }
                received.setOpaque(++n);
            }
        }, error);
        Thread tx = start("nio-tx", () -> {
            try (DatagramChannel out = DatagramChannel.open().bind(LOOPBACK)) {
                ByteBuffer b = ByteBuffer.allocateDirect(datagram);
                long n = 0;
                while (!stop.get()) {
                    b.clear();
                    out.send(b, to);
                    sent.setOpaque(++n);
                }
            }
        }, error);
        try {
            return measure(received, sent, seconds, stop, error, tx);
        } finally {
            in.close(); // unblocks the receiver
            rx.join();
        }
    }

    /** Received and sent per second (datagrams, or frames through the daemons) over the measuring window. */
    static long[] measure(AtomicLong received, AtomicLong sent, double seconds, AtomicBoolean stop,
                           AtomicReference<Throwable> error, Thread... threads) throws Exception {
        Thread.sleep(300); // warm-up
        long n0 = received.getOpaque();
        long s0 = sent.getOpaque();
        long t0 = System.nanoTime();
        Thread.sleep((long) (seconds * 1000));
        long n1 = received.getOpaque();
        long s1 = sent.getOpaque();
        long t1 = System.nanoTime();
        stop.set(true);
        for (Thread t : threads) {
            t.join();
        }
        if (error.get() != null) {
            throw new IllegalStateException(error.get());
        }
        return new long[] {(long) ((n1 - n0) * 1e9 / (t1 - t0)), (long) ((s1 - s0) * 1e9 / (t1 - t0))};
    }

    static long[] netioRtt(int payload, int trips) throws Exception {
        AtomicReference<Throwable> error = new AtomicReference<>();
        AtomicReference<InetSocketAddress> echoAddress = new AtomicReference<>();
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch ready = new CountDownLatch(1);
        AtomicReference<InetSocketAddress> clientAddress = new AtomicReference<>();
        CountDownLatch clientReady = new CountDownLatch(1);
        Thread echo = start("netio-echo", () -> {
            try (Arena arena = Arena.ofShared(); RingOwner owner = new RingOwner(ctx())) {
                UdpReceiver r = UdpReceiver.throughput(owner, LOOPBACK);
                echoAddress.set(r.localAddress());
                ready.countDown();
                clientReady.await();
                UdpSender s = new UdpSender(owner, clientAddress.get(), (t, res) -> { });
                MemorySegment out = arena.allocate(payload);
                OutgoingFrame f = new OutgoingFrame().streamId(2);
                r.handlerForAll((h, b, o, l) -> {
                    MemorySegment.copy(b, o, out, 0, l);
                    s.offer(f.sequence(h.sequence()), out, h.sequence());
                });
                while (!stop.get()) {
                    if (owner.doWork(System.nanoTime()) == 0) {
                        owner.idle(IDLE_NS);
                    }
                }
            }
        }, error);
        ready.await();
        long[] rtt = new long[trips];
        try (Arena arena = Arena.ofShared(); RingOwner owner = new RingOwner(ctx())) {
            UdpReceiver r = UdpReceiver.throughput(owner, LOOPBACK);
            long[] got = {-1};
            r.handlerForAll((h, b, o, l) -> got[0] = h.sequence());
            clientAddress.set(r.localAddress());
            clientReady.countDown();
            UdpSender s = new UdpSender(owner, echoAddress.get(), (t, res) -> { });
            MemorySegment p = arena.allocate(payload);
            OutgoingFrame f = new OutgoingFrame().streamId(1);
            for (int i = -1_000; i < trips; i++) { // the first thousand warm up
                long start = System.nanoTime();
                s.offer(f.sequence(i + 1_000), p, i);
                while (got[0] != i + 1_000) {
                    if (owner.doWork(System.nanoTime()) == 0) {
                        owner.idle(IDLE_NS);
                    }
                }
                if (i >= 0) {
                    rtt[i] = System.nanoTime() - start;
                }
            }
        } finally {
            stop.set(true);
            echo.join();
        }
        if (error.get() != null) {
            throw new IllegalStateException(error.get());
        }
        Arrays.sort(rtt);
        return rtt;
    }

    static long[] nioRtt(int datagram, int trips) throws Exception {
        AtomicReference<Throwable> error = new AtomicReference<>();
        DatagramChannel echoCh = DatagramChannel.open().bind(LOOPBACK);
        echoCh.setOption(StandardSocketOptions.SO_RCVBUF, receiveBufferBytes);
        InetSocketAddress echoAddress = (InetSocketAddress) echoCh.getLocalAddress();
        Thread echo = start("nio-echo", () -> {
            ByteBuffer b = ByteBuffer.allocateDirect(65536);
            while (true) {
                b.clear();
                java.net.SocketAddress from;
                try {
                    from = echoCh.receive(b);
                } catch (IOException closed) {
                    return;
                }
                b.flip();
                echoCh.send(b, from);
            }
        }, error);
        long[] rtt = new long[trips];
        try (DatagramChannel ch = DatagramChannel.open().bind(LOOPBACK)) {
            ch.setOption(StandardSocketOptions.SO_RCVBUF, receiveBufferBytes);
            ByteBuffer out = ByteBuffer.allocateDirect(datagram);
            ByteBuffer in = ByteBuffer.allocateDirect(65536);
            for (int i = -1_000; i < trips; i++) {
                long start = System.nanoTime();
                out.clear();
                ch.send(out, echoAddress);
                in.clear();
                ch.receive(in);
                if (i >= 0) {
                    rtt[i] = System.nanoTime() - start;
                }
            }
        } finally {
            echoCh.close();
            echo.join();
        }
        Arrays.sort(rtt);
        return rtt;
    }

    private static void check(int granted) {
        if (granted != 2 * receiveBufferBytes) {
            System.out.println("note: netio's receive buffer is " + granted + " B, not " + 2 * receiveBufferBytes);
        }
    }
}
