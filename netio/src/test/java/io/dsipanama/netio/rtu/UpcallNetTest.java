package io.dsipanama.netio.rtu;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.dsipanama.ffm.SchedFeatures;
import io.dsipanama.netio.NetContext;
import io.dsipanama.netio.stream.StreamFrameDescriptor;
import io.dsipanama.rtu.Backend;
import io.dsipanama.rtu.Reserve;
import io.dsipanama.rtu.ReserveSpec;
import io.dsipanama.rtu.RtScheduler;
import io.dsipanama.rtu.SchedulerContext;
import io.dsipanama.rtu.registry.ReserveCounter;
import io.dsipanama.stream.Claim;
import io.dsipanama.stream.OverflowPolicy;
import io.dsipanama.stream.Packet;
import io.dsipanama.stream.StreamConsumer;
import io.dsipanama.stream.StreamDirectory;
import io.dsipanama.stream.StreamMode;
import io.dsipanama.stream.StreamProducer;
import io.dsipanama.stream.StreamSpec;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Library mode on upcalls, on the real kernel: a stream sent over loopback by a sender running in reactive
 * upcalls (its stream's data and its ring's completions fire them) and received by a receiver running in
 * reactive upcalls of another reserve (its ring's completions fire them) into a second stream; every byte
 * compared, the reserves' counters show the jobs, and the virtual processors allocate nothing per job in
 * steady state. The scheduler's threads are its own: closing it (try-with-resources, also on failure) ends
 * every real-time thread, and the test thread never leaves SCHED_OTHER.
 */
class UpcallNetTest {
    static final long MS = 1_000_000L;
    private static final int COUNT = 6000;
    private static final int MAX_PACKET = 3000;
    private final Path registry = Path.of("/dev/shm", "dsi-upcallnet-reg-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
    private final Path root = Path.of("/dev/shm", "dsi-upcallnet-" + ProcessHandle.current().pid() + "-" + System.nanoTime());

    @BeforeAll
    static void fifo() {
        var f = SchedFeatures.fifo();
        assumeTrue(f.available(), "SCHED_FIFO is not permitted here: " + f.detail());
    }

    @AfterEach
    void removeFiles() throws IOException {
        Files.deleteIfExists(registry);
        if (Files.exists(root)) {
            try (Stream<Path> s = Files.walk(root)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    static SchedulerContext scheduler(Path registry) {
        return new SchedulerContext().backend(Backend.FIFO).requireRealTime(true).registryPath(registry);
    }

    private static StreamSpec spec(int descriptors) {
        return StreamSpec.builder().descriptorCount(descriptors).dataBytes(16L << 20).maxPacketBytes(MAX_PACKET)
                .policy(OverflowPolicy.BLOCK).mode(StreamMode.NON_REAL_TIME).build();
    }

    static int length(long i) {
        return 1 + (int) ((i * 37) % MAX_PACKET);
    }

    static byte at(long i, long j) {
        return (byte) (i * 7 + j * 13);
    }

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void aStreamCrossesLoopbackBetweenTwoUpcallDrivenEnds() throws Exception {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        StreamDirectory dir = new StreamDirectory(root);
        StreamProducer src = StreamProducer.create(dir, "src", spec(1024)); // closed mid-test: the end of the stream
        try (RtScheduler s = RtScheduler.start(scheduler(registry));
             StreamProducer dst = StreamProducer.create(dir, "dst", spec(8192));
             StreamConsumer out = StreamConsumer.open(dir, "dst");
             StreamConsumer in = StreamConsumer.open(dir, "src")) {
            Reserve rx = s.admit(ReserveSpec.of(2 * MS, 10 * MS).withName("net-rx").onCpus(0));
            Reserve tx = s.admit(ReserveSpec.of(2 * MS, 10 * MS).withName("net-tx").onCpus(1));
            UpcallRing<UpcallStreams.Receiving> rxRing = UpcallStreams.receive(rx, new NetContext(), 0,
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), dst);
            InetSocketAddress to = rxRing.awaitReady(10_000 * MS).receiver().localAddress();
            UpcallRing<UpcallStreams.Sending> txRing = UpcallStreams.send(tx, new NetContext(), 0, in, to,
                    StreamFrameDescriptor.streamId("src"), 3);
            txRing.awaitReady(10_000 * MS);
            long[] vps = s.virtualProcessorThreadIds();
            long[] allocBefore = null;
            long[] allocMid = null;
            long jobsBefore = 0;
            long missesBefore = 0;
            int received = 0;
            int bad = 0;
            long sent = 0;
            long deadline = System.nanoTime() + 50_000 * MS; // leaves the 90 s timeout room to close
            while (received < COUNT && System.nanoTime() < deadline) {
                // produce at most 64 ahead of what arrived: a paced stream, ~ what the receive stream can hold
                while (sent < COUNT && sent - received < 64) {
                    int len = length(sent);
                    Claim c = src.claim(len, 100 * MS);
                    assertTrue(c != null, "no room in the source stream");
                    MemorySegment b = c.buffer();
                    for (int j = 0; j < len; j++) {
                        b.set(JAVA_BYTE, c.offset() + j, at(sent, j));
                    }
                    c.commit(sent);
                    sent++;
                }
                Packet p = out.take(5 * MS);
                if (p == null) {
                    continue;
                }
                if (p.length() != length(received) || p.virtualTime() != received || !intact(p, received)) {
                    bad++;
                }
                p.release();
                received++;
                if (received == 3750) { // halfway through the steady part
                    allocMid = mx.getThreadAllocatedBytes(vps);
                }
                if (received == 1500) { // warmed up: measure allocation from here
                    allocBefore = mx.getThreadAllocatedBytes(vps);
                    jobsBefore = rx.counter(ReserveCounter.RELEASES) + tx.counter(ReserveCounter.RELEASES);
                    missesBefore = rx.counter(ReserveCounter.DEADLINE_MISSES) + tx.counter(ReserveCounter.DEADLINE_MISSES);
                }
            }
            long[] allocAfter = mx.getThreadAllocatedBytes(vps);
            long steadyJobs = rx.counter(ReserveCounter.RELEASES) + tx.counter(ReserveCounter.RELEASES) - jobsBefore;
            long steadyMisses = rx.counter(ReserveCounter.DEADLINE_MISSES) + tx.counter(ReserveCounter.DEADLINE_MISSES) - missesBefore;
            // said at once, so a stalled run shows where it stood even if what follows times out
            System.out.println("upcall bridge at loop end: " + received + "/" + COUNT + "; rx " + counters(rx) + " ring jobs "
                    + rxRing.jobs() + " rescues " + rxRing.rescues() + "; tx " + counters(tx) + " ring jobs " + txRing.jobs()
                    + " rescues " + txRing.rescues() + " timer " + txRing.timerExpiries());
            src.close(); // the sender notices (ring timer), sends its end frame, the receiver sees it
            awaitFenced(() -> txRing.app().sender().finished(), 5_000, "the sender's end frame left");
            awaitFenced(() -> rxRing.app().receiver().ended(), 5_000, "the receiver saw the end frame");
            txRing.close();
            rxRing.close();
            long[] alloc = new long[vps.length];
            long[] before = allocBefore;
            Arrays.setAll(alloc, i -> allocAfter[i] - (before == null ? 0 : before[i]));
            String summary = received + "/" + COUNT + " packets, " + bad + " bad; rx " + counters(rx) + " ring jobs "
                    + rxRing.jobs() + " idle " + rxRing.idleJobs() + " kicks " + rxRing.kicks() + " rescues " + rxRing.rescues() + "; tx " + counters(tx)
                    + " ring jobs " + txRing.jobs() + " idle " + txRing.idleJobs() + " kicks " + txRing.kicks() + " rescues "
                    + txRing.rescues() + " timer " + txRing.timerExpiries()
                    + "; steady: " + steadyJobs + " jobs, " + steadyMisses + " misses, VP allocated " + Arrays.toString(alloc)
                    + "; receiver notStored " + rxRing.app().receiver().notStored() + " missing "
                    + rxRing.app().receiver().markedMissing();
            System.out.println("upcall bridge: " + summary);
            assertEquals(COUNT, received, summary);
            assertEquals(0, bad, summary);
            assertEquals(COUNT, rxRing.app().receiver().packets(), summary);
            assertEquals(0, rxRing.app().receiver().markedMissing(), summary);
            assertEquals(COUNT, txRing.app().sender().packets(), summary);
            for (Reserve r : new Reserve[] {rx, tx}) {
                assertTrue(r.counter(ReserveCounter.RELEASES) >= 50, summary);
                assertTrue(r.counter(ReserveCounter.CPU_USED_NS) > 0, summary);
                assertTrue(r.counter(ReserveCounter.EVENTS) >= r.counter(ReserveCounter.RELEASES) / 2, summary);
                assertEquals(0, r.counter(ReserveCounter.UPCALL_ERRORS), summary);
            }
            assertTrue(allocBefore != null && steadyJobs >= 200, summary);
            // budget 2 ms per 10 ms with jobs of tens of us: misses are the shared machine stalling a FIFO thread
            // (seen 0.5-2 % of jobs under other builds' load); this bound catches a scheduler that stopped
            // keeping deadlines, not the machine's noise
            assertTrue(steadyMisses <= steadyJobs / 10, summary);
            // neither virtual processor may allocate per packet or per job: well under one object a packet (seen
            // 0.1-4 KB in all over 4500 packets). A per-packet source shows in both halves of the steady part, so
            // the quieter half must stay under 8 B a packet; a one-off block shows in one half only (twice, under
            // CPU hogs, ~68 KB at once on the sender, not attributed: netio README), so the whole stays under 32 B.
            // Found with JFR (-XX:-UseTLAB: every allocation is an event): a /proc read and split per liveness
            // look, a capture-state slice per eventfd read, a payload slice per packet sent
            assertTrue(allocMid != null, summary);
            for (int v = 0; v < 2; v++) {
                String which = v == 0 ? "receiving" : "sending";
                long first = allocMid[v] - allocBefore[v];
                long second = allocAfter[v] - allocMid[v];
                assertTrue(Math.min(first, second) < (COUNT - 1500) / 2 * 8L, "the " + which
                        + " virtual processor allocated per packet (" + first + " B, then " + second + " B): " + summary);
                assertTrue(alloc[v] < (COUNT - 1500) * 32L, "the " + which + " virtual processor allocated: " + summary);
            }
        } finally {
            src.close();
        }
    }

    private static boolean intact(Packet p, long i) {
        MemorySegment b = p.buffer();
        for (int j = 0; j < p.length(); j++) {
            if (b.get(JAVA_BYTE, p.offset() + j) != at(i, j)) {
                return false;
            }
        }
        return true;
    }

    private static String counters(Reserve r) {
        return "releases " + r.counter(ReserveCounter.RELEASES) + " events " + r.counter(ReserveCounter.EVENTS)
                + " cpu " + r.counter(ReserveCounter.CPU_USED_NS) / 1000 + " us, policed " + r.counter(ReserveCounter.POLICED)
                + ", misses " + r.counter(ReserveCounter.DEADLINE_MISSES) + ", max job " + r.counter(ReserveCounter.MAX_JOB_CPU_NS) / 1000 + " us;";
    }

    /** Polls {@code done} (state written by a virtual processor) behind a full fence until it holds. */
    static void awaitFenced(BooleanSupplier done, long timeoutMs, String what) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutMs * MS;
        while (true) {
            VarHandle.fullFence();
            if (done.getAsBoolean()) {
                return;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError(what + ": not within " + timeoutMs + " ms");
            }
            Thread.sleep(1);
        }
    }
}
