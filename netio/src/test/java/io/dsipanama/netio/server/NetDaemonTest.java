package io.dsipanama.netio.server;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.dsipanama.netio.NetContext;
import io.dsipanama.netio.tcp.TcpBulkTest;
import io.dsipanama.stream.OverflowPolicy;
import io.dsipanama.stream.StreamConsumer;
import io.dsipanama.stream.StreamDirectory;
import io.dsipanama.stream.StreamMode;
import io.dsipanama.stream.StreamProducer;
import io.dsipanama.stream.StreamSpec;
import io.dsipanama.stream.synthetic.ConsumeRun;
import io.dsipanama.stream.synthetic.ProduceRun;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two daemons on their own threads (the application threads reach them only through streams): a produced
 * stream arrives intact, both daemons finish their routes by themselves, and afterwards no socket or ring is
 * left open. Config parsing is checked on the side.
 */
@Timeout(60)
class NetDaemonTest {
    private final Path root = Path.of("/dev/shm", "dsi-netd-lib-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
    private final StreamDirectory dir = new StreamDirectory(root);
    private final AtomicBoolean stop = new AtomicBoolean();
    private final ExecutorService pool = Executors.newCachedThreadPool(); // the common pool has 1 thread on 2 cores

    @AfterEach
    void cleanUp() throws IOException, InterruptedException {
        stop.set(true);
        pool.shutdown();
        assertTrue(pool.awaitTermination(20, TimeUnit.SECONDS), "daemon threads did not stop");
        if (Files.exists(root)) {
            try (Stream<Path> s = Files.walk(root)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    private static StreamSpec spec() {
        return StreamSpec.builder().descriptorCount(256).dataBytes(4 << 20).maxPacketBytes(16 * 1024)
                .policy(OverflowPolicy.BLOCK).mode(StreamMode.NON_REAL_TIME).build();
    }

    @Test
    void routesCarryAStreamIntactAndCloseEverything() throws Exception {
        Files.createDirectories(root);
        long before = TcpBulkTest.socketsAndRings();
        AtomicReference<InetSocketAddress> bound = new AtomicReference<>();
        CountDownLatch bound1 = new CountDownLatch(1);
        CompletableFuture<List<java.util.Map<String, Object>>> far = CompletableFuture.supplyAsync(() -> {
            NetdConfig cfg = NetdConfig.parseLines(List.of("# far side", "listen 127.0.0.1:0 far create"));
            try (NetDaemon d = new NetDaemon(dir, new NetContext(), cfg, spec(), TimeUnit.SECONDS.toNanos(1), 100_000)) {
                bound.set(d.listenAddresses().getFirst());
                bound1.countDown();
                d.run(stop::get, true);
                return d.status();
            }
        }, pool);
        assertTrue(bound1.await(10, TimeUnit.SECONDS));
        CompletableFuture<List<java.util.Map<String, Object>>> near = CompletableFuture.supplyAsync(() -> {
            NetdConfig cfg = new NetdConfig(List.of(NetdConfig.parseSend("near=127.0.0.1:" + bound.get().getPort()
                    + ",priority=6")), List.of());
            try (NetDaemon d = new NetDaemon(dir, new NetContext(), cfg, spec(), TimeUnit.SECONDS.toNanos(1), 100_000)) {
                d.run(stop::get, true);
                return d.status();
            }
        }, pool);
        CompletableFuture<ConsumeRun.Report> consumed = CompletableFuture.supplyAsync(() -> {
            try (StreamConsumer c = StreamConsumer.open(dir, "far")) {
                return new ConsumeRun(-1, TimeUnit.SECONDS.toNanos(20), 0, true).run(c, stop::get);
            }
        }, pool);
        try (StreamProducer p = StreamProducer.create(dir, "near", spec())) {
            new ProduceRun(1500, -1, 1, 16 * 1024, 3000, true, 50, 7).run(p, stop::get);
        }
        ConsumeRun.Report r = consumed.get(30, TimeUnit.SECONDS);
        assertTrue(r.clean(), r.toString());
        assertEquals(1470, r.received(), r.toString());
        assertEquals(30, r.lostTotal(), r.toString());
        assertEquals("done", near.get(20, TimeUnit.SECONDS).getFirst().get("state"));
        assertEquals(1470L, far.get(20, TimeUnit.SECONDS).getFirst().get("packets"));
        assertEquals(before, TcpBulkTest.socketsAndRings(), "sockets and rings closed");
    }

    @Test
    void badRoutesAreRefusedWithTheirText() {
        assertThrows(IllegalArgumentException.class, () -> NetdConfig.parseLines(List.of("sned a 1.2.3.4:5")));
        assertThrows(IllegalArgumentException.class, () -> NetdConfig.parseSend("a=1.2.3.4:5,priority=9"));
        assertThrows(IllegalArgumentException.class, () -> NetdConfig.parseListen("70000=x"));
        NetdConfig c = NetdConfig.parseLines(List.of("send a 10.0.0.2:47300 priority 5 id 9", "listen 47301 b"));
        assertEquals(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0).getClass(), c.sends().getFirst().to().getClass());
        assertEquals(9, c.sends().getFirst().streamId());
        assertEquals(5, c.sends().getFirst().priority());
        assertEquals(47301, c.listens().getFirst().listen().getPort());
    }
}
