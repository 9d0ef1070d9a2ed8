package io.dsipanama.bench.jmh;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.dsipanama.bench.handoff.Affinity;
import io.dsipanama.bench.handoff.HandoffTransport;
import io.dsipanama.bench.handoff.Idle;
import io.dsipanama.bench.handoff.Payload;
import org.agrona.CloseHelper;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
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
import org.openjdk.jmh.infra.Control;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;

/**
 * Cross-thread hand-off cost per packet: one producer thread and one consumer thread, pinned to
 * different CPUs, in an asymmetric JMH group. A subclass names the transport; nothing else.
 *
 * <p>Method: {@code produce} publishes exactly one packet per invocation (it spins while the transport
 * is back-pressured); {@code consume} takes exactly one packet per invocation (it spins while none is
 * there) and does {@link Payload#touch}. Both spin loops also watch {@link Control#stopMeasurement} so
 * that the end of an iteration never deadlocks; a packet left in flight is taken in the next iteration.
 * In steady state both sides run at the rate of the slower one, so the average time per invocation
 * (per side, and JMH's group score, which averages them) is the cost of handing one packet over at
 * full throughput: throughput's inverse, not one-way latency (the cross-process harness measures that).
 * Each transport holds at most {@link io.dsipanama.bench.handoff.HandoffTransports#windowBytes} in flight.
 *
 * <p>Checks: the consumer verifies that sequence numbers arrive in order, without gaps; the trial
 * fails at tear-down otherwise. Run with {@code -prof gc}: both threads count, and the hot paths must
 * show 0 B/op. {@link AllocationMeter} also prints what the producer and consumer threads alone allocated
 * over the measurement iterations (-prof gc counts every thread: JMH's and the transport's helpers too).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {
        "--enable-native-access=ALL-UNNAMED", "--illegal-native-access=deny",
        "--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED"})
@State(Scope.Group)
public abstract class HandoffBenchmark {
    /** Files of the transports go here. */
    public static final String DIR_PROPERTY = "dsi.bench.dir";

    @Param({"64", "4096", "65536", "1048576", "4194304"})
    public int size;

    private HandoffTransport.Medium medium;
    private Payload payload;
    private HandoffTransport.Producer producer;
    private HandoffTransport.Consumer consumer;
    private Map<String, Long> allocationAtMeasurementStart;

    /** The subject. */
    protected abstract HandoffTransport transport();

    @Setup(Level.Trial)
    public void open() throws IOException {
        HandoffTransport transport = transport();
        payload = new Payload(size);
        medium = transport.create(Path.of(System.getProperty(DIR_PROPERTY, "/dev/shm")), size);
        consumer = transport.openConsumer(medium.location(), size);
        producer = transport.openProducer(medium.location(), payload);
    }

    /** Snapshot of every thread's allocation when the first measurement iteration starts. */
    @Setup(Level.Iteration)
    public void startIteration(IterationParams params) {
        if (allocationAtMeasurementStart == null && params.getType() == IterationType.MEASUREMENT) {
            allocationAtMeasurementStart = AllocationMeter.allThreads();
        }
    }

    @TearDown(Level.Trial)
    public void close() {
        if (allocationAtMeasurementStart != null) {
            AllocationMeter.reportAllThreads(allocationAtMeasurementStart);
        }
        CloseHelper.closeAll(producer, consumer, payload, medium);
    }

    /** The producer thread's state: pinned, and its next sequence number. */
    @State(Scope.Thread)
    public static class ProducerSide {
        private final AllocationMeter meter = new AllocationMeter();
        long seq;

        @Setup(Level.Trial)
        public void pin() {
            Affinity.pinProducer();
        }

        @Setup(Level.Iteration)
        public void startIteration(IterationParams params) {
            meter.startIteration(params, seq);
        }

        @TearDown(Level.Iteration)
        public void endIteration() {
            meter.endIteration(seq);
        }

        @TearDown(Level.Trial)
        public void report() {
            meter.report("producer");
        }
    }

    /** The consumer thread's state: pinned; it receives packets and checks their order. */
    @State(Scope.Thread)
    public static class ConsumerSide implements HandoffTransport.PacketHandler {
        private final AllocationMeter meter = new AllocationMeter();
        long nextSeq;
        long checksum;
        long outOfOrder;

        @Setup(Level.Trial)
        public void pin() {
            Affinity.pinConsumer();
        }

        @Setup(Level.Iteration)
        public void startIteration(IterationParams params) {
            meter.startIteration(params, nextSeq);
        }

        @TearDown(Level.Iteration)
        public void endIteration() {
            meter.endIteration(nextSeq);
        }

        @Override
        public void onPacket(MemorySegment segment, long offset, int length) {
            if (Payload.seq(segment, offset) != nextSeq) {
                outOfOrder++;
            }
            nextSeq++;
            checksum += Payload.touch(segment, offset, length);
        }

        @TearDown(Level.Trial)
        public void check() {
            meter.report("consumer");
            if (outOfOrder != 0) {
                throw new IllegalStateException(outOfOrder + " packets arrived out of order or with gaps");
            }
        }
    }

    @Benchmark
    @Group("handoff")
    @GroupThreads(1)
    public void produce(ProducerSide side, Control control) {
        for (long attempts = 0; !producer.offer(side.seq, 0, size); attempts++) {
            if (control.stopMeasurement) {
                return;
            }
            Idle.idle(attempts);
        }
        side.seq++;
    }

    @Benchmark
    @Group("handoff")
    @GroupThreads(1)
    public long consume(ConsumerSide side, Control control) {
        for (long attempts = 0; consumer.poll(side, 1) == 0; attempts++) {
            if (control.stopMeasurement) {
                break;
            }
            Idle.idle(attempts);
        }
        return side.checksum;
    }
}
