package io.dsipanama.netio;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static io.dsipanama.netio.NetTestSupport.LOOPBACK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A low-priority flood that the low handler cannot keep up with, with high-priority frames mixed in: every
 * high frame is delivered, none is handled after a low frame that arrived later, highs overtake lows that
 * were waiting, and the overload is absorbed by shedding low datagrams.
 */
@Timeout(60)
class PriorityTest {
    private static final int LOW = 0;
    private static final int HIGH = 7;
    private static final long LOW_WORK_NS = TimeUnit.MICROSECONDS.toNanos(40);

    @Test
    void highPriorityIsServedFirstUnderALowPriorityFlood() throws Exception {
        NetContext ctx = new NetContext().rxBuffers(256).dispatchBudget(16).socketBufferBytes(32 << 20);
        int highs = 300;
        int lowsPerHigh = 60;
        AtomicLong highsSent = new AtomicLong();
        AtomicLong lowsSent = new AtomicLong();
        try (RingOwner owner = new RingOwner(ctx)) {
            UdpReceiver rx = UdpReceiver.throughput(owner, LOOPBACK);
            long[] handledLows = {0};
            long[] handledHighs = {0};
            long[] lastLowArrival = {-1};
            long[] violations = {0};
            long[] overtakes = {0};
            long[] maxLowArrivalHandled = {-1};
            rx.handler(LOW, (h, buf, off, len) -> {
                long a = rx.currentArrival();
                maxLowArrivalHandled[0] = Math.max(maxLowArrivalHandled[0], a);
                lastLowArrival[0] = a;
                handledLows[0]++;
                long until = System.nanoTime() + LOW_WORK_NS; // a handler slower than the flood
                while (System.nanoTime() - until < 0) {
                    Thread.onSpinWait();
                }
            });
            rx.handler(HIGH, (h, buf, off, len) -> {
                long a = rx.currentArrival();
                if (maxLowArrivalHandled[0] > a) {
                    violations[0]++; // a low that arrived after this high was handled before it
                }
                if (rx.queued() > 0 || lastLowArrival[0] < a - 1) {
                    overtakes[0]++;
                }
                handledHighs[0]++;
            });
            InetSocketAddress to = rx.localAddress();
            Thread flood = new Thread(() -> {
                try (DatagramChannel ch = DatagramChannel.open().bind(LOOPBACK)) {
                    long seq = 0;
                    for (int i = 0; i < highs; i++) {
                        for (int k = 0; k < lowsPerHigh; k++) {
                            ch.send(NetTestSupport.datagram(1, seq++, LOW, 200, 1024, 0, 200, 0), to);
                            lowsSent.incrementAndGet();
                        }
                        ch.send(NetTestSupport.datagram(2, i, HIGH, 64, 1024, 0, 64, 0), to);
                        highsSent.incrementAndGet();
                        LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(500));
                    }
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            }, "low-priority-flood");
            flood.start();
            NetTestSupport.runUntil(owner, () -> !flood.isAlive() && handledHighs[0] == highs, 40_000,
                    "all high frames handled");
            flood.join();
            NetTestSupport.runUntil(owner, () -> rx.queued() == 0, 10_000, "queues drained");
            NetCounters c = owner.counters();
            String state = "lows sent " + lowsSent + ", handled " + handledLows[0] + ", overtakes " + overtakes[0]
                    + ", counters " + c;
            System.out.println("PriorityTest: " + state);
            assertEquals(highs, handledHighs[0], state);
            assertEquals(0, violations[0], "no high handled after a later low: " + state);
            assertTrue(c.get(NetCounter.DROP_OVERLOAD) > 0, "the overload was shed: " + state);
            assertTrue(overtakes[0] > 0, "highs overtook waiting lows: " + state);
            assertEquals(lowsSent.get(), handledLows[0] + c.get(NetCounter.DROP_OVERLOAD)
                    + (lowsSent.get() + highs - c.get(NetCounter.RX_DATAGRAMS)), "every low handled, shed or lost in the kernel: " + state);
        }
    }
}
