package io.dsipanama.netio.server;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.dsipanama.ffm.Unistd;
import io.dsipanama.netio.NetContext;
import io.dsipanama.netio.NetCounter;
import io.dsipanama.netio.NetCounters;
import io.dsipanama.netio.NetFeatures;
import io.dsipanama.stream.Claim;
import io.dsipanama.stream.OverflowPolicy;
import io.dsipanama.stream.Packet;
import io.dsipanama.stream.StreamConsumer;
import io.dsipanama.stream.StreamDirectory;
import io.dsipanama.stream.StreamMode;
import io.dsipanama.stream.StreamProducer;
import io.dsipanama.stream.StreamSpec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The sending daemon wakes on its stream, not on a timer. One packet at a time (the next only after the
 * application consumer on the far side has it, and only once the near daemon's thread sleeps in io_uring_enter,
 * read from /proc) goes producer → near daemon → UDP → far daemon → consumer, with the daemons' poll interval
 * at 20 ms. With FUTEX_WAIT, the near daemon's sleeps end by the stream's futex:
 * about one {@code futex_wakes} per packet and no {@code idle_timeouts} beyond the 100 ms liveness net. With
 * FUTEX_WAIT disabled (the fallback), the same flow is found by polls: no futex wait at all, and about one
 * {@code idle_timeouts} per packet. The one-way latency of each mode is printed (a measurement, not asserted).
 */
@Timeout(60)
class NetDaemonWakeTest {
    private static final long IDLE_NS = TimeUnit.MILLISECONDS.toNanos(20);
    private static final int WARM_UP = 5;
    private static final ValueLayout.OfLong STAMP = ValueLayout.JAVA_LONG_UNALIGNED;
    private static final int SYS_IO_URING_ENTER = 426; // x86_64 (and every architecture since 5.1's unified numbers)

    private final Path root = Path.of("/dev/shm", "dsi-netd-wake-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
    private final StreamDirectory dir = new StreamDirectory(root);
    private final AtomicBoolean stop = new AtomicBoolean();
    private final ExecutorService pool = Executors.newCachedThreadPool();

    private record Flow(Map<NetCounter, Long> nearDelta, long elapsedNs, long[] latencyNs, String wake,
                        long dataWakes) {
        long delta(NetCounter c) {
            return nearDelta.getOrDefault(c, 0L);
        }
    }

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

    @Test
    void aCommitWakesTheDaemonWithoutItsPollTimer() throws Exception {
        NetFeatures features = NetFeatures.of(new NetContext());
        assumeTrue(features.futexWait(), "no IORING_OP_FUTEX_WAIT here (Linux 6.7): " + features.fallbacks());
        int packets = 200;
        Flow f = flow(new NetContext(), packets);
        print("futex", f);
        assertEquals("futex", f.wake());
        assertTrue(f.delta(NetCounter.FUTEX_WAKES) >= packets * 3 / 4,
                "the commits woke the sleeping daemon through the stream's futex: " + f.nearDelta());
        // + 1: the wait armed just before the first snapshot completes inside the window
        assertTrue(f.delta(NetCounter.FUTEX_WAKES) <= f.delta(NetCounter.FUTEX_WAITS) + 1, f.nearDelta().toString());
        assertEquals(0, f.delta(NetCounter.FUTEX_WAIT_ERRORS), f.nearDelta().toString());
        long net = 1 + f.elapsedNs() / NetDaemon.LIVENESS_NS;
        assertTrue(f.delta(NetCounter.IDLE_TIMEOUTS) <= net, "no poll-timer wake beyond the liveness net of "
                + net + " in " + f.elapsedNs() / 1_000_000 + " ms: " + f.nearDelta());
        assertTrue(f.dataWakes() >= f.delta(NetCounter.FUTEX_WAKES), "the route counts its wakes too: " + f.dataWakes());
    }

    @Test
    void withoutFutexWaitTheSameFlowIsFoundByPolls() throws Exception {
        int packets = 30;
        NetContext ctx = new NetContext().disable(NetContext.Feature.FUTEX_WAIT);
        assertTrue(NetFeatures.of(ctx).fallbacks().stream().anyMatch(fb -> fb.feature().equals("FUTEX_WAIT")),
                "the fallback is reported");
        Flow f = flow(ctx, packets);
        print("poll", f);
        assertEquals("poll", f.wake());
        assertEquals(0, f.delta(NetCounter.FUTEX_WAITS), f.nearDelta().toString());
        assertEquals(0, f.delta(NetCounter.FUTEX_WAKES), f.nearDelta().toString());
        assertTrue(f.delta(NetCounter.IDLE_TIMEOUTS) >= packets * 3 / 4,
                "each packet committed while the daemon slept waited for its poll timer: " + f.nearDelta());
    }

    private Flow flow(NetContext ctx, int packets) throws Exception {
        Files.createDirectories(root);
        AtomicReference<NetDaemon> nearDaemon = new AtomicReference<>();
        AtomicLong nearTid = new AtomicLong();
        AtomicReference<InetSocketAddress> bound = new AtomicReference<>();
        CountDownLatch farReady = new CountDownLatch(1);
        CountDownLatch nearReady = new CountDownLatch(1);
        CompletableFuture<Void> far = CompletableFuture.runAsync(() -> {
            NetdConfig cfg = NetdConfig.parseLines(List.of("listen 127.0.0.1:0 far create"));
            try (NetDaemon d = new NetDaemon(dir, ctx, cfg, spec(), TimeUnit.SECONDS.toNanos(1), IDLE_NS)) {
                bound.set(d.listenAddresses().getFirst());
                farReady.countDown();
                d.run(stop::get, true);
            }
        }, pool);
        assertTrue(farReady.await(10, TimeUnit.SECONDS));
        AtomicReference<List<Map<String, Object>>> nearStatus = new AtomicReference<>();
        CompletableFuture<Void> near = CompletableFuture.runAsync(() -> {
            NetdConfig cfg = new NetdConfig(List.of(NetdConfig.parseSend("near=127.0.0.1:" + bound.get().getPort())),
                    List.of());
            try (NetDaemon d = new NetDaemon(dir, ctx, cfg, spec(), TimeUnit.SECONDS.toNanos(1), IDLE_NS)) {
                nearDaemon.set(d);
                nearTid.set(Unistd.gettid());
                nearReady.countDown();
                d.run(stop::get, true);
                nearStatus.set(d.status());
            }
        }, pool);
        assertTrue(nearReady.await(10, TimeUnit.SECONDS));
        NetCounters counters = nearDaemon.get().ringOwner().counters(); // readable from any thread while it runs
        Path nearSyscall = Path.of("/proc/self/task", Long.toString(nearTid.get()), "syscall");
        String asleep = SYS_IO_URING_ENTER + " 0x" + Integer.toHexString(nearDaemon.get().ringOwner().ring().ringFd()) + " ";

        BlockingQueue<Long> arrived = new ArrayBlockingQueue<>(packets + WARM_UP);
        CompletableFuture<Void> consumer = CompletableFuture.runAsync(() -> {
            try (StreamConsumer c = StreamConsumer.open(dir, "far")) {
                for (int i = 0; i < packets + WARM_UP; i++) {
                    Packet p = c.take(TimeUnit.SECONDS.toNanos(10));
                    if (p == null) {
                        return;
                    }
                    long latency = System.nanoTime() - p.segment().get(STAMP, 0);
                    assertEquals(i, p.virtualTime(), "in order, none lost");
                    p.release();
                    arrived.add(latency);
                }
            }
        }, pool);
        long[] latencyNs = new long[packets];
        Map<NetCounter, Long> before = null;
        long startNs = 0;
        Map<NetCounter, Long> after;
        long elapsedNs;
        try (StreamProducer p = StreamProducer.create(dir, "near", spec())) {
            for (int i = 0; i < packets + WARM_UP; i++) {
                if (i == WARM_UP) {
                    before = counters.snapshot();
                    startNs = System.nanoTime();
                }
                awaitBlocked(nearSyscall, asleep);
                Claim c = p.claim(64, TimeUnit.SECONDS.toNanos(5));
                assertNotNull(c);
                c.buffer().set(STAMP, c.offset(), System.nanoTime());
                c.commit(i);
                Long latency = arrived.poll(10, TimeUnit.SECONDS);
                assertNotNull(latency, "packet " + i + " arrived");
                if (i >= WARM_UP) {
                    latencyNs[i - WARM_UP] = latency;
                }
            }
            after = counters.snapshot();
            elapsedNs = System.nanoTime() - startNs;
        }
        consumer.get(20, TimeUnit.SECONDS);
        near.get(20, TimeUnit.SECONDS);
        far.get(20, TimeUnit.SECONDS);
        Map<NetCounter, Long> b = before;
        Map<NetCounter, Long> delta = new java.util.EnumMap<>(NetCounter.class);
        after.forEach((k, v) -> delta.put(k, v - b.getOrDefault(k, 0L)));
        Map<String, Object> route = nearStatus.get().getFirst();
        return new Flow(delta, elapsedNs, latencyNs, (String) route.get("wake"), (Long) route.get("data_wakes"));
    }

    /** Waits until the near daemon's thread sleeps in io_uring_enter on its ring (so the commit must wake it). */
    private static void awaitBlocked(Path syscall, String prefix) throws IOException {
        long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        String seen = "";
        while (deadlineNs - System.nanoTime() > 0) {
            seen = Files.readString(syscall);
            if (seen.startsWith(prefix)) {
                return;
            }
            LockSupport.parkNanos(20_000);
        }
        throw new AssertionError("the near daemon never slept in io_uring_enter (" + prefix + "); last seen: " + seen);
    }

    private static StreamSpec spec() {
        return StreamSpec.builder().descriptorCount(64).dataBytes(1 << 20).maxPacketBytes(1024)
                .policy(OverflowPolicy.BLOCK).mode(StreamMode.NON_REAL_TIME).build();
    }

    private static void print(String mode, Flow f) {
        long[] l = f.latencyNs().clone();
        Arrays.sort(l);
        System.out.printf("netd wake=%s: %d packets one at a time, producer -> near netd -> UDP -> far netd -> consumer:"
                        + " p50 %.1f us, p90 %.1f us, max %.1f us (poll interval %d us); near daemon: futex_waits %d,"
                        + " futex_wakes %d, futex_wait_changed %d, idle_sleeps %d, idle_timeouts %d; %d ms%n",
                mode, l.length, l[l.length / 2] / 1e3, l[l.length * 9 / 10] / 1e3, l[l.length - 1] / 1e3,
                IDLE_NS / 1000, f.delta(NetCounter.FUTEX_WAITS), f.delta(NetCounter.FUTEX_WAKES),
                f.delta(NetCounter.FUTEX_WAIT_CHANGED), f.delta(NetCounter.IDLE_SLEEPS), f.delta(NetCounter.IDLE_TIMEOUTS),
                f.elapsedNs() / 1_000_000);
    }
}
