package io.dsipanama.bench.jmh;

import io.dsipanama.stream.ChainArea;
import io.dsipanama.stream.ChainHolder;
import io.dsipanama.stream.ChainSpec;
import io.dsipanama.stream.Claim;
import io.dsipanama.stream.OverflowPolicy;
import io.dsipanama.stream.Packet;
import io.dsipanama.stream.StreamConsumer;
import io.dsipanama.stream.StreamDirectory;
import io.dsipanama.stream.StreamProducer;
import io.dsipanama.stream.StreamSpec;
import org.openjdk.jmh.annotations.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Memory chaining (dsi-panama): the cost of a middle stage forwarding a packet by reference (the output slot
 * names the same block of a shared data area) against forwarding it by copy (plain streams, each with its own
 * data area). One thread plays source, filter and sink, so the figure is CPU work per packet, not hand-off
 * latency: {@code reference} and {@code copy} run source, forward and sink; {@code direct} runs source and sink
 * over one stream, so forward = total - direct.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class ChainForwardBenchmark {
    private static final int BLOCK = 64 * 1024;
    private static final int DESCRIPTORS = 64;

    @Param({"64", "4096", "65536"})
    public int size;

    @Param({"reference", "copy", "direct"})
    public String path;

    private Path root;
    private ChainArea area;
    private ChainHolder holder;
    private StreamProducer source;
    private StreamConsumer filterIn;
    private StreamProducer filterOut;
    private StreamConsumer sink;
    private long seq;

    @Setup
    public void setUp() throws IOException {
        root = Files.createTempDirectory(Path.of("/dev/shm"), "dsi-chain-bench-").resolve("root");
        StreamDirectory dir = new StreamDirectory(root);
        StreamSpec spec = StreamSpec.builder().descriptorCount(DESCRIPTORS).maxPacketBytes(BLOCK)
                .dataBytes((long) BLOCK * (DESCRIPTORS + 1)).policy(OverflowPolicy.BLOCK).build();
        switch (path) {
            case "reference" -> {
                area = ChainArea.create(dir, "bench", ChainSpec.forStreams(BLOCK, DESCRIPTORS, DESCRIPTORS));
                holder = area.attach();
                source = holder.createProducer("a", spec);
                filterIn = holder.openConsumer("a");
                filterOut = holder.createProducer("b", spec);
                sink = holder.openConsumer("b");
            }
            case "copy" -> {
                source = StreamProducer.create(dir, "a", spec);
                filterIn = StreamConsumer.open(dir, "a");
                filterOut = StreamProducer.create(dir, "b", spec);
                sink = StreamConsumer.open(dir, "b");
            }
            default -> {
                source = StreamProducer.create(dir, "a", spec);
                sink = StreamConsumer.open(dir, "a");
            }
        }
    }

    @Benchmark
    public long pipeline() {
        Claim c = source.tryClaim(size);
        c.buffer().set(JAVA_LONG, c.offset(), seq);
        c.commit(seq++);
        if (filterIn != null) {
            Packet in = filterIn.poll();
            if (!filterOut.forward(in)) {
                throw new IllegalStateException("forward refused");
            }
            in.release();
        }
        Packet out = sink.poll();
        long v = out.buffer().get(JAVA_LONG, out.offset());
        out.release();
        return v;
    }

    @TearDown
    public void tearDown() throws IOException {
        for (AutoCloseable c : new AutoCloseable[]{sink, filterOut, filterIn, source, holder, area}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                throw new IOException(e);
            }
        }
        try (Stream<Path> s = Files.walk(root.getParent())) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
