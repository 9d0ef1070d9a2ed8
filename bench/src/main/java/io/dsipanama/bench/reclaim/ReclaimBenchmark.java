package io.dsipanama.bench.reclaim;

import io.dsipanama.ffm.Fcntl;
import io.dsipanama.ffm.Mman;
import io.dsipanama.ffm.Unistd;
import io.dsipanama.stream.Claim;
import io.dsipanama.stream.OverflowPolicy;
import io.dsipanama.stream.Packet;
import io.dsipanama.stream.StreamConsumer;
import io.dsipanama.stream.StreamDirectory;
import io.dsipanama.stream.StreamMode;
import io.dsipanama.stream.StreamProducer;
import io.dsipanama.stream.StreamSpec;
import org.HdrHistogram.Histogram;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Reclaim (issue 4): what it costs and how fast the consumer hears of it.
 * <ol>
 * <li><b>Reclaim-to-notification latency.</b> A consumer thread holds a one-page packet and keeps touching it
 *     (one load, then {@code poll()}, which drains the fault ring); the producer thread reclaims the packet.
 *     Per sample: from just before {@code reclaim} to (a) the resolver reading the fault ({@code time_ns} of
 *     the event: kernel fault delivery plus the resolver's wake-up) and (b) the consumer's
 *     {@link io.dsipanama.stream.RevocationListener} running. Producer and consumer are two threads of one
 *     process with separate mappings, the consumer's registered exactly as in a second process.</li>
 * <li><b>Cost of a reclaim per page</b> for packets of 1, 16 and 256 pages: {@code StreamProducer.reclaim}
 *     (state CAS, punch, freeing) next to a plain {@code fallocate(PUNCH_HOLE)} and a plain
 *     {@code madvise(MADV_REMOVE)} of the same number of populated pages of a memfd, in the same run.</li>
 * </ol>
 * {@code java --enable-native-access=ALL-UNNAMED -cp bench/target/benchmarks.jar
 * io.dsipanama.bench.reclaim.ReclaimBenchmark [samples]} (default 2000). The steady-state hand-off cost is
 * {@code DsiStreamBenchmark} (JMH).
 */
public final class ReclaimBenchmark {
    private static final long PAGE = Unistd.pageSize();

    private ReclaimBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int samples = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        Path dir = Files.createTempDirectory(Path.of("/dev/shm"), "dsi-reclaim-bench-");
        try {
            StreamDirectory streams = new StreamDirectory(dir);
            latency(streams, samples);
            for (int pages : new int[]{1, 16, 256}) {
                cost(streams, pages, Math.max(50, samples / pages));
            }
        } finally {
            try (Stream<Path> s = Files.walk(dir)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    /** Hand-off between the two threads: the consumer's state, written by one side, spun on by the other. */
    private static final class Sample {
        volatile int phase;          // 0 idle (producer publishes), 2 held, 3 notified, 4 released
        volatile long reclaimStartNs;
        volatile long faultNs;
        volatile long notifiedNs;
    }

    private static void latency(StreamDirectory streams, int samples) throws Exception {
        StreamSpec spec = StreamSpec.builder().descriptorCount(64).maxPacketBytes((int) PAGE).dataBytes(64 * PAGE)
                .policy(OverflowPolicy.DROP_OLDEST).mode(StreamMode.NON_REAL_TIME).build();
        Histogram toFault = new Histogram(60_000_000_000L, 3);
        Histogram toListener = new Histogram(60_000_000_000L, 3);
        Histogram reclaimCall = new Histogram(60_000_000_000L, 3);
        int warmup = Math.max(200, samples / 5);
        try (StreamProducer p = StreamProducer.create(streams, "latency", spec);
             StreamConsumer c = StreamConsumer.open(streams, "latency")) {
            System.out.println("# fault watch: " + c.faultWatchMode() + " (" + c.faultWatchCause() + ")");
            Sample s = new Sample();
            c.onRevocation((vt, position, faultTimeNs) -> {
                s.faultNs = faultTimeNs;
                s.notifiedNs = System.nanoTime();
                s.phase = 3;
            });
            Thread consumer = Thread.ofPlatform().name("reclaim-consumer").start(() -> consume(c, s, warmup + samples));
            for (int i = 0; i < warmup + samples; i++) {
                Claim claim = p.tryClaim((int) PAGE);
                claim.buffer().asSlice(claim.offset(), PAGE).fill((byte) i);
                claim.commit(i);
                while (s.phase != 2) {
                    alive(consumer);
                    LockSupport.parkNanos(10_000);
                }
                long start = System.nanoTime();
                s.reclaimStartNs = start;
                if (!p.reclaim(p.position() - 1)) {
                    throw new IllegalStateException("nothing reclaimed at " + i);
                }
                long end = System.nanoTime();
                while (s.phase != 4) {
                    alive(consumer);
                    LockSupport.parkNanos(10_000); // leave the other core to the consumer and the resolver
                }
                if (i >= warmup) {
                    reclaimCall.recordValue(end - start);
                    if (s.faultNs >= 0) {
                        toFault.recordValue(Math.max(0, s.faultNs - start));
                    }
                    toListener.recordValue(s.notifiedNs - start);
                }
                s.phase = 0;
            }
            consumer.join();
            System.out.printf("reclaim -> notification, %d samples (one-page packet held and touched in a loop)%n",
                    samples);
            print("reclaim() call (CAS + PUNCH_HOLE + free)", reclaimCall);
            print("reclaim -> resolver reads the fault", toFault);
            print("reclaim -> consumer's listener runs", toListener);
            System.out.println("# notified by fault " + toFault.getTotalCount() + " of " + samples
                    + " (the rest by the state check)");
        }
    }

    private static void alive(Thread consumer) {
        if (!consumer.isAlive()) {
            throw new IllegalStateException("the consumer thread ended early (see its stack trace above)");
        }
    }

    private static void consume(StreamConsumer c, Sample s, int count) {
        for (int i = 0; i < count; i++) {
            Packet k;
            while ((k = c.poll()) == null) {
                Thread.onSpinWait();
            }
            s.phase = 2;
            long sink = 0;
            while (s.phase != 3) {
                sink += k.buffer().get(JAVA_LONG, k.offset()); // the touch that faults once the page is punched
                if (c.poll() != null) {
                    throw new IllegalStateException("no packet was published");
                }
                if (s.phase == 2 && !k.isStillValid() && System.nanoTime() - s.reclaimStartNs > 1_000_000_000L) {
                    break; // no fault within a second: the release below reports it by check
                }
            }
            k.release();
            s.phase = 4;
            if (sink == 42) {
                System.out.print("");
            }
        }
    }

    private static void cost(StreamDirectory streams, int pages, int iterations) {
        long bytes = pages * PAGE;
        StreamSpec spec = StreamSpec.builder().descriptorCount(8).maxPacketBytes((int) bytes).dataBytes(4 * bytes)
                .policy(OverflowPolicy.DROP_OLDEST).mode(StreamMode.NON_REAL_TIME).build();
        Histogram reclaim = new Histogram(60_000_000_000L, 3);
        Histogram fallocate = new Histogram(60_000_000_000L, 3);
        Histogram madvise = new Histogram(60_000_000_000L, 3);
        int fd = Mman.memfd_create("dsi-reclaim-bench", Mman.MFD_CLOEXEC);
        try (StreamProducer p = StreamProducer.create(streams, "cost" + pages, spec);
             StreamConsumer c = StreamConsumer.open(streams, "cost" + pages);
             Arena arena = Arena.ofConfined()) {
            Unistd.ftruncate(fd, bytes);
            MemorySegment plain = Mman.map(arena, bytes, Mman.PROT_READ | Mman.PROT_WRITE, Mman.MAP_SHARED, fd, 0);
            for (int i = 0; i < iterations + 20; i++) {
                Claim claim = p.tryClaim((int) bytes);
                claim.buffer().asSlice(claim.offset(), bytes).fill((byte) i); // populated, like the plain file below
                claim.commit(i);
                long t0 = System.nanoTime();
                p.reclaim(p.position() - 1);
                long t1 = System.nanoTime();

                plain.fill((byte) i);
                long t2 = System.nanoTime();
                Fcntl.fallocate(fd, Fcntl.FALLOC_FL_PUNCH_HOLE | Fcntl.FALLOC_FL_KEEP_SIZE, 0, bytes);
                long t3 = System.nanoTime();

                plain.fill((byte) i);
                long t4 = System.nanoTime();
                Mman.madvise(plain, bytes, Mman.MADV_REMOVE);
                long t5 = System.nanoTime();
                if (i >= 20) {
                    reclaim.recordValue(t1 - t0);
                    fallocate.recordValue(t3 - t2);
                    madvise.recordValue(t5 - t4);
                }
                if (c.poll() != null) {
                    throw new IllegalStateException("a reclaimed packet was delivered");
                }
            }
            System.out.printf("cost of taking back %d page(s) (%d KiB), %d samples; per page = p50 / pages%n", pages,
                    bytes / 1024, iterations);
            print("StreamProducer.reclaim", reclaim, pages);
            print("fallocate(PUNCH_HOLE)", fallocate, pages);
            print("madvise(MADV_REMOVE)", madvise, pages);
        } finally {
            Unistd.close(fd);
        }
    }

    private static void print(String what, Histogram h) {
        System.out.printf("  %-42s p50 %8.1f us  p99 %8.1f us  max %8.1f us%n", what, h.getValueAtPercentile(50) / 1e3,
                h.getValueAtPercentile(99) / 1e3, h.getMaxValue() / 1e3);
    }

    private static void print(String what, Histogram h, int pages) {
        System.out.printf("  %-24s p50 %8.2f us  p99 %8.2f us  max %8.1f us  per page %6.3f us%n", what,
                h.getValueAtPercentile(50) / 1e3, h.getValueAtPercentile(99) / 1e3, h.getMaxValue() / 1e3,
                h.getValueAtPercentile(50) / 1e3 / pages);
    }
}
