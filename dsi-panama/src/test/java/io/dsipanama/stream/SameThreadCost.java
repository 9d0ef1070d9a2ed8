package io.dsipanama.stream;

import java.lang.foreign.ValueLayout;
import java.nio.file.Path;

/**
 * Not a test: a same-thread measurement of the hot paths, less sensitive to a loaded machine than the
 * cross-thread {@code DsiStreamBenchmark}: claim + commit + poll + release of one {@code SIZE}-byte packet,
 * and an empty poll, 5 M of each per round, 12 rounds (the first 4 warm up). Run with the test class path:
 * {@code java --enable-native-access=ALL-UNNAMED -cp ... io.dsipanama.stream.SameThreadCost 64 [locked]}
 * ({@code locked}: a {@code lockInMemory} stream, so both ends also count packets towards their look at
 * {@code lock_demand}).
 */
public final class SameThreadCost {
    public static void main(String[] args) {
        Path root = Path.of("/dev/shm", "dsi-same-thread-" + ProcessHandle.current().pid());
        StreamDirectory dir = new StreamDirectory(root);
        StreamSpec spec = StreamSpec.builder().descriptorCount(256).dataBytes(1 << 20).maxPacketBytes(4096)
                .policy(OverflowPolicy.BLOCK).mode(StreamMode.NON_REAL_TIME)
                .lockInMemory(args.length > 1 && args[1].equals("locked")).build();
        int size = args.length > 0 ? Integer.parseInt(args[0]) : 64;
        try (StreamProducer p = StreamProducer.create(dir, "s", spec); StreamConsumer c = StreamConsumer.open(dir, "s")) {
            long sink = 0;
            long vt = 0;
            for (int round = 0; round < 12; round++) {
                int n = 5_000_000;
                long t0 = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    Claim k = p.tryClaim(size);
                    k.buffer().set(ValueLayout.JAVA_LONG, k.offset(), i);
                    k.commit(vt++);
                    Packet q = c.poll();
                    sink += q.buffer().get(ValueLayout.JAVA_LONG, q.offset());
                    q.release();
                }
                long t1 = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    if (c.poll() != null) {
                        throw new AssertionError("the stream is empty");
                    }
                }
                long t2 = System.nanoTime();
                if (round >= 4) {
                    System.out.printf("round %d: packet %.1f ns, empty poll %.2f ns%n", round, (t1 - t0) / (double) n,
                            (t2 - t1) / (double) n);
                }
            }
            System.out.println("checksum " + sink);
        } finally {
            dir.remove("s");
            root.toFile().delete();
        }
    }
}
