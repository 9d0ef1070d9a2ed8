package io.dsipanama.bench.jmh;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;

import io.dsipanama.bench.handoff.Affinity;
import io.dsipanama.bench.handoff.HandoffTransports;
import io.dsipanama.bench.handoff.Payload;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The floor: one thread, no hand-off. {@code copy} is a {@link MemorySegment#copy} of {@code size} bytes
 * (the memcpy the issue asks for); {@code writeAndTouch} is the producer's and the consumer's work of the
 * hand-off benchmarks ({@link Payload#write} then {@link Payload#touch}) done by one thread on one core.
 * The destination rotates through as many {@code size}-byte slots as a transport's window holds, so the
 * working set matches the hand-off benchmarks'.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {
        "--enable-native-access=ALL-UNNAMED", "--illegal-native-access=deny",
        "--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED"})
@State(Scope.Thread)
public class MemcpyBenchmark {
    @Param({"64", "4096", "65536", "1048576", "4194304"})
    public int size;

    private Arena arena;
    private Payload payload;
    private MemorySegment destination;
    private long slotBytes;
    private int slots;
    private int slot;
    private long seq;

    @Setup(Level.Trial)
    public void open() {
        Affinity.pinProducer();
        payload = new Payload(size);
        slotBytes = (size + 63L) & -64L;
        slots = (int) (HandoffTransports.windowBytes(slotBytes) / slotBytes);
        arena = Arena.ofShared();
        destination = arena.allocate(slotBytes * slots, 4096);
        destination.fill((byte) 0);
    }

    @TearDown(Level.Trial)
    public void close() {
        payload.close();
        arena.close();
    }

    private long nextSlot() {
        slot = slot + 1 == slots ? 0 : slot + 1;
        return slot * slotBytes;
    }

    @Benchmark
    public void copy() {
        MemorySegment.copy(payload.pattern(), Payload.shift(seq++), destination, nextSlot(), size);
    }

    @Benchmark
    public long writeAndTouch() {
        long at = nextSlot();
        payload.write(destination, at, size, seq++, 0);
        return Payload.touch(destination, at, size);
    }
}
