package io.dsipanama.bench.handoff;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.TimeUnit;

import org.HdrHistogram.Histogram;

/**
 * The two child JVMs of {@link CrossProcess}: {@code producer} and {@code consumer}. Each pins its
 * main thread ({@link Affinity}), attaches its side of the transport, prints {@code READY}, runs, and
 * prints one {@code RESULT key=value ...} line on stdout. The producer then waits for {@code EXIT} on
 * stdin before detaching, so the consumer can drain everything first.
 *
 * <p>Arguments: {@code ROLE TRANSPORT LOCATION SIZE PACKETS WARMUP RATE_HZ VERIFY TIMEOUT_S}. Packets
 * {@code 0 .. WARMUP-1} warm up (sent as fast as accepted); {@code WARMUP .. WARMUP+PACKETS-1} are
 * measured. With {@code RATE_HZ > 0} the producer paces the measured packets from the first one on and
 * stamps each with its scheduled send time, so a stalled producer shows
 * up as latency (no coordinated omission); with 0 it sends as fast as the transport accepts and stamps
 * the time it starts writing, so latency includes the time queued in the transport's window.
 *
 * <p>Allocation: each side reports the bytes its own thread allocated over the measured packets
 * ({@code com.sun.management.ThreadMXBean}), which must be 0 for an allocation-free hot path.
 */
public final class HandoffChild {
    /** Latencies above 60 s are recorded as 60 s. */
    static final long MAX_LATENCY_NS = TimeUnit.SECONDS.toNanos(60);
    private static final int POLL_LIMIT = 64;

    private HandoffChild() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 9) {
            throw new IllegalArgumentException("usage: producer|consumer TRANSPORT LOCATION SIZE PACKETS WARMUP RATE_HZ VERIFY TIMEOUT_S");
        }
        HandoffTransport transport = HandoffTransports.byName(args[1]);
        String location = args[2];
        int size = Integer.parseInt(args[3]);
        long packets = Long.parseLong(args[4]);
        long warmup = Long.parseLong(args[5]);
        long rateHz = Long.parseLong(args[6]);
        boolean verify = Boolean.parseBoolean(args[7]);
        long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(Long.parseLong(args[8]));
        String result = switch (args[0]) {
            case "producer" -> produce(transport, location, size, warmup + packets, warmup, rateHz, deadlineNs);
            case "consumer" -> consume(transport, location, size, warmup + packets, warmup, verify, deadlineNs);
            default -> throw new IllegalArgumentException("role must be producer or consumer: " + args[0]);
        };
        System.out.println("RESULT " + result);
        System.out.flush();
        if (args[0].equals("producer")) {
            awaitExit();
        }
    }

    private static String produce(HandoffTransport transport, String location, int size, long total, long warmup,
                                  long rateHz, long deadlineNs) throws IOException {
        int cpu = Affinity.pinProducer();
        try (Payload payload = new Payload(size); HandoffTransport.Producer producer = transport.openProducer(location, payload)) {
            System.out.println("READY cpu=" + cpu);
            System.out.flush();
            long periodNs = rateHz > 0 ? TimeUnit.SECONDS.toNanos(1) / rateHz : 0;
            long measuredStartNs = System.nanoTime();
            long allocatedAtStart = allocatedBytes();
            long backPressured = 0;
            for (long seq = 0; seq < total; seq++) {
                if (seq == warmup) {
                    allocatedAtStart = allocatedBytes();
                    measuredStartNs = System.nanoTime();
                }
                long sentNs;
                if (periodNs > 0 && seq >= warmup) {
                    sentNs = measuredStartNs + (seq - warmup) * periodNs;
                    while (System.nanoTime() - sentNs < 0) {
                        Thread.onSpinWait();
                    }
                } else {
                    sentNs = System.nanoTime();
                }
                for (long attempts = 0; !producer.offer(seq, sentNs, size); attempts++) {
                    if ((++backPressured & 0xFFF) == 0 && System.nanoTime() - deadlineNs > 0) {
                        throw new IllegalStateException("timed out sending packet " + seq + " of " + total);
                    }
                    Idle.idle(attempts);
                }
            }
            long endNs = System.nanoTime();
            long allocated = allocatedBytes() - allocatedAtStart;
            return "cpu=" + cpu + " sent=" + total + " elapsedNs=" + (endNs - measuredStartNs)
                    + " backPressured=" + backPressured + " allocatedBytes=" + allocated;
        }
    }

    private static String consume(HandoffTransport transport, String location, int size, long total, long warmup,
                                  boolean verify, long deadlineNs) throws IOException {
        int cpu = Affinity.pinConsumer();
        try (Payload payload = new Payload(size); HandoffTransport.Consumer consumer = transport.openConsumer(location, size)) {
            Receiver receiver = new Receiver(payload, warmup, verify);
            System.out.println("READY cpu=" + cpu);
            System.out.flush();
            long idle = 0;
            for (long attempts = 0; receiver.received < total; ) {
                if (consumer.poll(receiver, POLL_LIMIT) == 0) {
                    if ((++idle & 0xFFF) == 0 && System.nanoTime() - deadlineNs > 0) {
                        throw new IllegalStateException("timed out after " + receiver.received + " of " + total + " packets");
                    }
                    Idle.idle(attempts++);
                } else {
                    attempts = 0;
                }
            }
            long allocated = allocatedBytes() - receiver.allocatedAtStart;
            Histogram h = receiver.latencies;
            ByteBuffer encoded = ByteBuffer.allocate(h.getNeededByteBufferCapacity());
            h.encodeIntoCompressedByteBuffer(encoded);
            encoded.flip();
            byte[] bytes = new byte[encoded.remaining()];
            encoded.get(bytes);
            return "cpu=" + cpu + " received=" + receiver.received + " elapsedNs=" + (receiver.lastNs - receiver.firstNs)
                    + " gaps=" + receiver.gaps + " corrupt=" + receiver.corrupt + " checksum=" + receiver.checksum
                    + " allocatedBytes=" + allocated + " histogram=" + Base64.getEncoder().encodeToString(bytes);
        }
    }

    /** The consumer's handler: order, content, latency; allocation-free. */
    private static final class Receiver implements HandoffTransport.PacketHandler {
        final Histogram latencies = new Histogram(MAX_LATENCY_NS, 3);
        final Payload payload;
        final long warmup;
        final boolean verify;
        long received;
        long expectedSeq;
        long gaps;
        long corrupt;
        long checksum;
        long firstNs;
        long lastNs;
        long allocatedAtStart;

        Receiver(Payload payload, long warmup, boolean verify) {
            this.payload = payload;
            this.warmup = warmup;
            this.verify = verify;
            this.allocatedAtStart = allocatedBytes();
        }

        @Override
        public void onPacket(MemorySegment segment, long offset, int length) {
            long nowNs = System.nanoTime();
            long seq = Payload.seq(segment, offset);
            if (seq != expectedSeq) {
                gaps++;
            }
            expectedSeq = seq + 1;
            if (verify) {
                if (length != payload.maxLength() || payload.verify(segment, offset, length, seq) != -1) {
                    corrupt++;
                }
            } else {
                checksum += Payload.touch(segment, offset, length);
            }
            if (seq >= warmup) {
                if (seq == warmup) {
                    firstNs = nowNs;
                    allocatedAtStart = allocatedBytes();
                }
                lastNs = nowNs;
                latencies.recordValue(Math.min(Math.max(nowNs - Payload.sentNs(segment, offset), 0), MAX_LATENCY_NS));
            }
            received++;
        }
    }

    private static long allocatedBytes() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    private static void awaitExit() throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line; (line = in.readLine()) != null; ) {
            if (line.equals("EXIT")) {
                return;
            }
        }
    }
}
