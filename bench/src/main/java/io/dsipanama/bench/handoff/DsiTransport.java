package io.dsipanama.bench.handoff;

import io.dsipanama.stream.Claim;
import io.dsipanama.stream.OverflowPolicy;
import io.dsipanama.stream.Packet;
import io.dsipanama.stream.StreamConsumer;
import io.dsipanama.stream.StreamDirectory;
import io.dsipanama.stream.StreamMode;
import io.dsipanama.stream.StreamProducer;
import io.dsipanama.stream.StreamSpec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A DSI stream ({@code dsi-panama}): the subject of the benchmarks. One stream file in a private root
 * under {@code dir}; each side opens it by name, so the same code serves threads and processes.
 *
 * <p>Memory: the data area is {@link HandoffTransports#windowBytes} of the 64-byte-aligned packet, like the
 * other subjects' windows, plus one more packet: the data area is a byte ring and a packet that does not
 * fit before its end starts again at 0 (see {@code StreamSizing}). Descriptors: one per packet that fits
 * in the window, a power of two, at least 8.
 *
 * <p>Work per packet: the producer claims a region ({@code tryClaim}), writes the packet in place with
 * {@link Payload#write}, commits with virtual time = sequence (a non-real-time stream: no clock read);
 * the consumer's {@code poll} hands the packet's bytes in place to the handler, then {@code release}s it.
 * Policy BLOCK: a full stream refuses the claim (back-pressure, as for the others). Neither side sleeps:
 * the benchmark measures the non-blocking hand-off, whose only shared-memory traffic is the descriptor's
 * cache line, the data and the futex waiter-flag load.
 *
 * <p>Ordering: commit closes the slot's seqlock with a release store; poll loads it with acquire.
 */
public final class DsiTransport implements HandoffTransport {
    private static final String NAME = "bench";

    @Override
    public String name() {
        return "dsi";
    }

    static StreamSpec specFor(int maxPacketLength) {
        long aligned = (Math.max(1, maxPacketLength) + StreamProducer.ALIGNMENT - 1L) & -StreamProducer.ALIGNMENT;
        int window = HandoffTransports.windowBytes(aligned);
        long page = 4096;
        long data = (window + aligned + page - 1) / page * page;
        int packets = (int) Math.max(8, window / aligned);
        int descriptors = Integer.highestOneBit(packets - 1) << 1;
        return StreamSpec.builder().descriptorCount(descriptors).dataBytes(data).maxPacketBytes(Math.max(1, maxPacketLength))
                .policy(OverflowPolicy.BLOCK).mode(StreamMode.NON_REAL_TIME).build();
    }

    @Override
    public Medium create(Path dir, int maxPacketLength) throws IOException {
        Path root = Files.createTempDirectory(dir, "dsi-bench-stream-");
        new StreamDirectory(root).create(NAME, specFor(maxPacketLength)).close();
        return new Medium() {
            @Override
            public String location() {
                return root.toString();
            }

            @Override
            public void close() {
                try (Stream<Path> files = Files.walk(root)) {
                    for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                        Files.deleteIfExists(p);
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        };
    }

    @Override
    public Producer openProducer(String location, Payload payload) {
        StreamProducer producer = StreamProducer.open(new StreamDirectory(Path.of(location)), NAME);
        return new Producer() {
            @Override
            public boolean offer(long seq, long sentNs, int length) {
                Claim claim = producer.tryClaim(length);
                if (claim == null) {
                    return false;
                }
                payload.write(claim.buffer(), claim.offset(), length, seq, sentNs);
                claim.commit(seq);
                return true;
            }

            @Override
            public void close() {
                producer.close();
            }
        };
    }

    @Override
    public Consumer openConsumer(String location, int maxPacketLength) {
        StreamConsumer consumer = StreamConsumer.open(new StreamDirectory(Path.of(location)), NAME);
        return new Consumer() {
            @Override
            public int poll(PacketHandler handler, int limit) {
                int n = 0;
                for (Packet k; n < limit && (k = consumer.poll()) != null; n++) {
                    handler.onPacket(k.buffer(), k.offset(), k.length());
                    k.release();
                }
                return n;
            }

            @Override
            public void close() {
                consumer.close();
            }
        };
    }
}
