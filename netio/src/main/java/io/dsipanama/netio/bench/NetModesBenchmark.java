package io.dsipanama.netio.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import io.dsipanama.netio.FrameHeaderDescriptor;
import io.dsipanama.netio.NetContext;
import io.dsipanama.netio.NetFeatures;
import io.dsipanama.netio.server.NetDaemon;
import io.dsipanama.netio.server.NetdConfig;
import io.dsipanama.stream.Claim;
import io.dsipanama.stream.OverflowPolicy;
import io.dsipanama.stream.Packet;
import io.dsipanama.stream.StreamConsumer;
import io.dsipanama.stream.StreamDirectory;
import io.dsipanama.stream.StreamMode;
import io.dsipanama.stream.StreamProducer;
import io.dsipanama.stream.StreamSpec;

/**
 * One run, one table: UDP packets/s at 64 B and 1400 B, goodput of 64 KiB frames and round trip, for netio in
 * library mode (the protocol on the application's threads), netio in server mode (applications produce and
 * consume DSI streams; a {@link NetDaemon} per side moves them), java.nio {@code DatagramChannel}, and the C
 * references iperf3 (UDP, receiver-side counts) and sockperf (ping-pong, {@code --full-rtt}). Every receive
 * buffer is {@link UdpBenchmark#RCVBUF} (iperf3 {@code -w}). Rates count at the receiver, over a window after a
 * warm-up; senders are unpaced (an overload run).
 *
 * <p>In server mode the daemons run on threads of this JVM, reached by the application threads only through the
 * streams in /dev/shm (exactly what separate processes would share; {@code NetdTest} runs them as processes).
 */
public final class NetModesBenchmark {
    private static final long DAEMON_IDLE_NS = TimeUnit.MICROSECONDS.toNanos(50);
    /** Whether the daemons wake on their streams' futex (false: the polling fallback, for comparison). */
    private static boolean daemonFutexWait = true;
    private static final Path ROOT = Path.of("/dev/shm", "dsi-netmodes-" + ProcessHandle.current().pid());

    private NetModesBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 2.0;
        int trips = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
        boolean rttOnly = args.length > 2 && args[2].equals("rtt");
        try {
            if (rttOnly) {
                rttTable(trips, seconds);
                return;
            }
            System.out.println("| measure | library | server | NIO | reference (C) | library / ref | server / ref |");
            System.out.println("|---|---|---|---|---|---|---|");
            for (int payload : new int[] {64, 1400}) {
                long lib = UdpBenchmark.netioRate(payload, seconds)[0];
                long srv = serverRate(payload, seconds)[0];
                long nio = UdpBenchmark.nioRate(payload + FrameHeaderDescriptor.LENGTH, seconds)[0];
                long ref = iperfUdp(payload + FrameHeaderDescriptor.LENGTH, seconds)[0];
                row("packets/s, " + payload + " B, iperf3 -u", lib, srv, nio, ref, "%,d");
            }
            int frame = 64 * 1024;
            for (int buffer : new int[] {UdpBenchmark.receiveBufferBytes, 4 << 20}) {
                int saved = UdpBenchmark.receiveBufferBytes;
                UdpBenchmark.receiveBufferBytes = buffer;
                long libF = UdpBenchmark.netioRate(frame, seconds)[0];
                long srvF = serverRate(frame, seconds)[0];
                long[] iperf = iperfUdp(1472, seconds);
                UdpBenchmark.receiveBufferBytes = saved;
                double mb = frame / 1e6;
                row("goodput MB/s, 64 KiB frames, buffers " + buffer / 1024 + " KiB (ref: iperf3 -u -l 1472)",
                        (long) (libF * mb), (long) (srvF * mb), -1, iperf[1] / 1_000_000, "%,d");
            }
            rttTable(trips, seconds);
            System.out.println();
            System.out.println("| server-mode receive, packets/s | copy into the claim | land in the claim | land / copy |");
            System.out.println("|---|---|---|---|");
            for (int payload : new int[] {64, 1400}) {
                long copy = serverRate(payload, seconds, false)[0];
                long land = serverRate(payload, seconds, true)[0];
                System.out.printf(Locale.ROOT, "| %d B | %,d | %,d | %.2f |%n", payload, copy, land, (double) land / copy);
            }
            System.out.printf("receive buffers %d B everywhere; server-mode daemons wake on their streams' futex"
                    + " (FUTEX_WAIT: %s), else poll every %d us%n", UdpBenchmark.receiveBufferBytes,
                    NetFeatures.of(new NetContext()).futexWait(), DAEMON_IDLE_NS / 1000);
        } finally {
            removeRoot();
        }
    }

    /**
     * Round trips, all measured in this call: library, server mode waking on the streams' futex, server mode with
     * FUTEX_WAIT disabled (the daemons poll their streams every {@link #DAEMON_IDLE_NS}), NIO, sockperf.
     */
    private static void rttTable(int trips, double seconds) throws Exception {
        System.out.println();
        System.out.println("| RTT p50 / p99 us | library | server (futex wake) | server (poll " + DAEMON_IDLE_NS / 1000
                + " us) | NIO | sockperf pp | library / ref | server / ref | server poll / ref | server / library |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|");
        for (int payload : new int[] {64, 1400}) {
            long[] lib = UdpBenchmark.netioRtt(payload, trips);
            daemonFutexWait = true;
            long[] srv = serverRtt(payload, trips);
            daemonFutexWait = false;
            long[] poll = serverRtt(payload, trips);
            daemonFutexWait = true;
            long[] nio = UdpBenchmark.nioRtt(payload + FrameHeaderDescriptor.LENGTH, trips);
            double[] ref = sockperfRtt(payload + FrameHeaderDescriptor.LENGTH, seconds);
            double libP50 = UdpBenchmark.pct(lib, 50);
            double srvP50 = UdpBenchmark.pct(srv, 50);
            System.out.printf(Locale.ROOT, "| %d B | %.1f / %.1f | %.1f / %.1f | %.1f / %.1f | %.1f / %.1f | %.1f / %.1f"
                            + " | %.2f | %.2f | %.2f | %.2f |%n", payload, libP50, UdpBenchmark.pct(lib, 99), srvP50,
                    UdpBenchmark.pct(srv, 99), UdpBenchmark.pct(poll, 50), UdpBenchmark.pct(poll, 99),
                    UdpBenchmark.pct(nio, 50), UdpBenchmark.pct(nio, 99), ref[0], ref[1], libP50 / ref[0],
                    srvP50 / ref[0], UdpBenchmark.pct(poll, 50) / ref[0], srvP50 / libP50);
        }
    }

    private static void row(String what, long lib, long srv, long nio, long ref, String fmt) {
        System.out.printf(Locale.ROOT, "| %s | " + fmt + " | " + fmt + " | %s | " + fmt + " | %.2f | %.2f |%n", what, lib,
                srv, nio < 0 ? "-" : String.format(Locale.ROOT, fmt, nio), ref, (double) lib / ref, (double) srv / ref);
    }

    private static StreamSpec spec(int maxPacket) {
        return StreamSpec.builder().descriptorCount(1024).dataBytes(Math.max(8L << 20, 128L * maxPacket))
                .maxPacketBytes(maxPacket).policy(OverflowPolicy.BLOCK).mode(StreamMode.NON_REAL_TIME).build();
    }

    private static NetContext daemonContext() {
        NetContext ctx = UdpBenchmark.ctx().sendQueueFrames(256);
        return daemonFutexWait ? ctx : ctx.disable(NetContext.Feature.FUTEX_WAIT);
    }

    /** A daemon on its own thread (its ring belongs to it); the config is built once the listen side is known. */
    private static Thread daemon(String name, StreamDirectory dir, NetdConfig cfg, StreamSpec spec, AtomicBoolean stop,
                                 AtomicReference<Throwable> error, java.util.concurrent.CountDownLatch ready) {
        return daemon(name, dir, cfg, spec, stop, error, ready, true);
    }

    private static Thread daemon(String name, StreamDirectory dir, NetdConfig cfg, StreamSpec spec, AtomicBoolean stop,
                                 AtomicReference<Throwable> error, java.util.concurrent.CountDownLatch ready, boolean land) {
        return UdpBenchmark.start(name, () -> {
            try (NetDaemon d = new NetDaemon(dir, daemonContext(), cfg, spec, TimeUnit.MILLISECONDS.toNanos(10),
                    DAEMON_IDLE_NS, land)) {
                ready.countDown();
                d.run(stop::get, false);
            }
        }, error);
    }

    static int freePort() throws IOException {
        try (DatagramChannel c = DatagramChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            return ((InetSocketAddress) c.getLocalAddress()).getPort();
        }
    }

    private static InetSocketAddress loop(int port) {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
    }

    /** Application produces into 'tx', daemon A sends, daemon B receives into 'rx', application consumes. */
    private static long[] serverRate(int payload, double seconds) throws Exception {
        return serverRate(payload, seconds, true);
    }

    private static long[] serverRate(int payload, double seconds, boolean land) throws Exception {
        StreamDirectory dir = freshDirectory();
        int port = freePort();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> error = new AtomicReference<>();
        java.util.concurrent.CountDownLatch ready = new java.util.concurrent.CountDownLatch(2);
        StreamSpec spec = spec(payload);
        Thread rxd = daemon("netd-rx", dir, new NetdConfig(List.of(), List.of(new NetdConfig.ListenRoute(loop(port), "rx", true))),
                spec, stop, error, ready, land);
        AtomicLong sent = new AtomicLong();
        AtomicLong received = new AtomicLong();
        Thread producer = UdpBenchmark.start("app-tx", () -> {
            try (StreamProducer p = StreamProducer.create(dir, "tx", spec)) {
                long vt = 0;
                while (!stop.get()) {
                    Claim c = p.claim(payload, TimeUnit.MILLISECONDS.toNanos(10));
                    if (c != null) {
                        c.commit(vt++);
                        sent.setOpaque(vt);
                    }
                }
            }
        }, error);
        Thread txd = daemon("netd-tx", dir, new NetdConfig(List.of(new NetdConfig.SendRoute("tx", loop(port), 7, 4)), List.of()),
                spec, stop, error, ready);
        ready.await();
        Thread consumer = UdpBenchmark.start("app-rx", () -> {
            try (StreamConsumer c = StreamConsumer.open(dir, "rx")) {
                long n = 0;
                while (!stop.get()) {
                    Packet k = c.take(TimeUnit.MILLISECONDS.toNanos(10));
                    if (k != null) {
                        k.release();
                        received.setOpaque(++n);
                    }
                }
            } catch (io.dsipanama.stream.StreamPeerGoneException gone) {
                // the daemon closed its producer at the end
            }
        }, error);
        return UdpBenchmark.measure(received, sent, seconds, stop, error, producer, consumer, txd, rxd);
    }

    /** Ping through streams and two daemons, echoed by an application thread on the far side. */
    private static long[] serverRtt(int payload, int trips) throws Exception {
        StreamDirectory dir = freshDirectory();
        int portA = freePort();
        int portB = freePort();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> error = new AtomicReference<>();
        java.util.concurrent.CountDownLatch ready = new java.util.concurrent.CountDownLatch(2);
        StreamSpec spec = spec(payload);
        try (StreamProducer ping = StreamProducer.create(dir, "ping", spec)) {
            Thread echo = UdpBenchmark.start("app-echo", () -> {
                try (StreamProducer pong = StreamProducer.create(dir, "pong", spec)) {
                    ready.await();
                    try (StreamConsumer in = StreamConsumer.open(dir, "ping-in")) {
                        while (!stop.get()) {
                            Packet k = in.take(TimeUnit.MILLISECONDS.toNanos(10));
                            if (k != null) {
                                Claim c = pong.claim(k.length(), TimeUnit.SECONDS.toNanos(1));
                                java.lang.foreign.MemorySegment.copy(k.buffer(), k.offset(), c.buffer(), c.offset(), k.length());
                                c.commit(k.virtualTime());
                                k.release();
                            }
                        }
                    } catch (io.dsipanama.stream.StreamPeerGoneException gone) {
                        // end of run
                    }
                }
            }, error);
            Thread da = daemon("netd-a", dir, new NetdConfig(List.of(new NetdConfig.SendRoute("ping", loop(portB), 1, 6)),
                    List.of(new NetdConfig.ListenRoute(loop(portA), "pong-in", true))), spec, stop, error, ready);
            Thread db = daemon("netd-b", dir, new NetdConfig(List.of(new NetdConfig.SendRoute("pong", loop(portA), 2, 6)),
                    List.of(new NetdConfig.ListenRoute(loop(portB), "ping-in", true))), spec, stop, error, ready);
            ready.await();
            long[] rtt = new long[trips];
            try (StreamConsumer back = StreamConsumer.open(dir, "pong-in")) {
                for (int i = -1_000; i < trips; i++) {
                    long start = System.nanoTime();
                    ping.claim(payload, TimeUnit.SECONDS.toNanos(1)).commit(i + 1_000);
                    Packet k = back.take(TimeUnit.SECONDS.toNanos(5));
                    if (k == null) {
                        throw new IllegalStateException("server-mode ping " + i + " not answered");
                    }
                    k.release();
                    if (i >= 0) {
                        rtt[i] = System.nanoTime() - start;
                    }
                }
            } finally {
                stop.set(true);
                for (Thread t : new Thread[] {echo, da, db}) {
                    t.join();
                }
            }
            if (error.get() != null) {
                throw new IllegalStateException(error.get());
            }
            Arrays.sort(rtt);
            return rtt;
        }
    }

    /** iperf3 UDP, unpaced, datagrams of {@code datagram} bytes: {received datagrams/s, received bytes/s}. */
    private static long[] iperfUdp(int datagram, double seconds) throws Exception {
        int port = freePort();
        Process server = new ProcessBuilder("iperf3", "-s", "-1", "-p", Integer.toString(port)).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            Thread.sleep(300);
            Process client = new ProcessBuilder("iperf3", "-c", "127.0.0.1", "-p", Integer.toString(port), "-u", "-b", "0",
                    "-l", Integer.toString(datagram), "-w", Integer.toString(UdpBenchmark.receiveBufferBytes), "-t",
                    Long.toString(Math.max(1, Math.round(seconds))), "-O", "1", "-J").redirectErrorStream(true).start();
            String json = new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            client.waitFor();
            // the client's "end.sum" carries the server's counts: packets sent, lost_packets at the receiver
            String sum = json.substring(json.lastIndexOf("\"sum\""));
            double secs = number(sum, "seconds");
            double packets = number(sum, "packets");
            double lost = number(sum, "lost_packets");
            double got = packets - lost;
            return new long[] {(long) (got / secs), (long) (got * datagram / secs)};
        } finally {
            server.destroy();
            server.waitFor(5, TimeUnit.SECONDS);
        }
    }

    /** sockperf ping-pong over UDP, round trip: {p50 us, p99 us}. */
    private static double[] sockperfRtt(int datagram, double seconds) throws Exception {
        int port = freePort();
        Process server = new ProcessBuilder("sockperf", "sr", "-i", "127.0.0.1", "-p", Integer.toString(port))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            Thread.sleep(300);
            Process client = new ProcessBuilder("sockperf", "pp", "-i", "127.0.0.1", "-p", Integer.toString(port), "-m",
                    Integer.toString(datagram), "-t", Long.toString(Math.max(1, Math.round(seconds))), "--full-rtt")
                    .redirectErrorStream(true).start();
            String out = new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            client.waitFor();
            return new double[] {percentile(out, "50.000"), percentile(out, "99.000")};
        } finally {
            server.destroy();
            server.waitFor(5, TimeUnit.SECONDS);
        }
    }

    private static double percentile(String out, String p) {
        Matcher m = Pattern.compile("percentile " + Pattern.quote(p) + " =\\s*([0-9.]+)").matcher(out);
        if (!m.find()) {
            throw new IllegalStateException("no percentile " + p + " in sockperf output:\n" + out);
        }
        return Double.parseDouble(m.group(1));
    }

    private static double number(String json, String key) {
        Matcher m = Pattern.compile("\"" + key + "\"\\s*:\\s*([0-9.eE+-]+)").matcher(json);
        if (!m.find()) {
            throw new IllegalStateException("no " + key + " in iperf3 output: " + json);
        }
        return Double.parseDouble(m.group(1));
    }

    private static StreamDirectory freshDirectory() throws IOException {
        removeRoot();
        Files.createDirectories(ROOT);
        return new StreamDirectory(ROOT);
    }

    private static void removeRoot() throws IOException {
        if (Files.exists(ROOT)) {
            try (Stream<Path> s = Files.walk(ROOT)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }
}
