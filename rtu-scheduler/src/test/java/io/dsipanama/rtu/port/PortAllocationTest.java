package io.dsipanama.rtu.port;

import io.dsipanama.rtu.RtScheduler;
import io.dsipanama.rtu.SchedulerContext;
import io.dsipanama.rtu.registry.TestRegistries;
import io.dsipanama.stream.synthetic.Payload;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * No allocation per buffer in steady state, on every thread that moves buffers: the virtual processors
 * (source, stage and sink upcalls, hand-offs, stream claim/commit/poll/release, port metrics) and the
 * stream's waiter thread. Both kinds of link run at once: an in-process pipeline and a stream connection
 * whose two sides happen to be in this process (the code path of two processes). Measured as in
 * {@code AllocationTest}: the bytes each thread allocated (HotSpot's per-thread accounting) over a window
 * after warm-up.
 */
class PortAllocationTest {
    private static final long MS = 1_000_000L;
    private final Path registry = TestRegistries.freshPath();
    private final Path root = PortTesting.freshStreamRoot();

    @BeforeAll
    static void warmUp() {
        Payload.verify(java.lang.foreign.MemorySegment.ofArray(new byte[64]), 0, 64, 0);
    }

    @AfterEach
    void removeFiles() {
        TestRegistries.delete(registry);
        PortTesting.deleteRoot(root);
    }

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void linksAndHandlersAllocateNothingPerBuffer() throws Exception {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        PortApp.Verifier local = new PortApp.Verifier(256);
        PortApp.Verifier remote = new PortApp.Verifier(256);
        RtPort src = RtPort.source("al-src", 256, 200_000, PortApp.source(256));
        RtPort mid = RtPort.stage("al-mid", 200_000, b -> true);
        RtPort snk = RtPort.sink("al-snk", 200_000, local);
        RtPort xsrc = RtPort.source("al-xsrc", 256, 200_000, PortApp.source(256));
        RtPort xsnk = RtPort.sink("al-xsnk", 200_000, remote);
        QoS qos = new QoS(MS, MS, 8 * MS);
        try (RtScheduler s = RtScheduler.start(new SchedulerContext().registryPath(registry).publishIntervalMs(50))) {
            RtPorts ports = new RtPorts(s, PortTesting.directory(root));
            CompletableFuture<Connection> sourceSide = CompletableFuture.supplyAsync(
                    () -> ports.connect(xsrc, RtPort.remote("al-xsnk"), qos)); // waits for the sink to attach
            try (Connection pipeline = ports.pipeline(qos, src, mid, snk);
                 Connection sinkSide = ports.connect(RtPort.remote("al-xsrc"), xsnk, qos);
                 Connection sourceConn = sourceSide.get(30, TimeUnit.SECONDS)) {
                assertTrue(sourceConn.crossProcess() && sinkSide.crossProcess() && !pipeline.crossProcess());
                PortTesting.await(() -> local.received.get() >= 3000 && remote.received.get() >= 3000, 60, "warm-up");
                long[] ids = threadIds(s, sinkSide.streamName());
                long before = local.received.get() + remote.received.get();
                long[] bytesBefore = mx.getThreadAllocatedBytes(ids);
                Thread.sleep(2000);
                long[] bytesAfter = mx.getThreadAllocatedBytes(ids);
                long buffers = local.received.get() + remote.received.get() - before;
                long[] delta = new long[ids.length];
                Arrays.setAll(delta, i -> bytesAfter[i] - bytesBefore[i]);
                System.out.println("ports: allocated bytes in steady state (virtual processors..., stream waiter): "
                        + Arrays.toString(delta) + " over " + buffers + " buffers; " + local + " / " + remote);
                assertTrue(buffers >= 1000, buffers + " buffers in the window");
                for (long d : delta) {
                    assertTrue(d < buffers, "allocated " + Arrays.toString(delta) + " bytes over " + buffers
                            + " buffers: that is an allocation per buffer");
                }
                assertTrue(local.verified.get() == local.received.get() && remote.verified.get() == remote.received.get(),
                        local + " / " + remote);
            }
        }
    }

    private static long[] threadIds(RtScheduler s, String stream) {
        List<Long> ids = new ArrayList<>();
        for (long id : s.virtualProcessorThreadIds()) {
            ids.add(id);
        }
        ids.add(Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals("dsi-rtu-stream-" + stream))
                .findFirst().orElseThrow().threadId());
        return ids.stream().mapToLong(Long::longValue).toArray();
    }
}
