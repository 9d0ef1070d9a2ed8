package io.dsipanama.bench.handoff;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;

import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RecordDescriptor;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

/**
 * Agrona's {@link OneToOneRingBuffer} over a shared file (normally in {@code /dev/shm}) that each side
 * maps itself, so the same code serves threads and processes.
 *
 * <p>Memory: {@code capacity + RingBufferDescriptor.TRAILER_LENGTH} bytes, capacity from
 * {@link HandoffTransports#windowBytes} of the framed record (8-byte record header, 8-byte alignment),
 * so at least 8 packets of the largest size fit (Agrona's own limit is capacity / 8 per message).
 *
 * <p>Work per packet: the producer claims a record ({@code tryClaim}), writes the packet into the
 * mapping with {@link Payload#write} and commits; the consumer's {@code read} hands the record in place
 * to the handler and then zeroes it (Agrona's protocol: that zeroing is part of this subject's cost).
 *
 * <p>Ordering: {@code commit} stores the record length with release semantics; {@code read} loads it
 * with acquire (Agrona's {@code putIntRelease} / {@code getIntVolatile}), so the packet bytes written
 * before commit are visible to the handler. Head and tail are Agrona's, in the trailer.
 */
public final class AgronaTransport implements HandoffTransport {
    static final int MSG_TYPE_ID = 1;

    @Override
    public String name() {
        return "agrona";
    }

    /** The ring capacity (a power of two) for packets of up to {@code maxPacketLength} bytes. */
    static int capacityFor(int maxPacketLength) {
        long framed = (maxPacketLength + RecordDescriptor.HEADER_LENGTH + RecordDescriptor.ALIGNMENT - 1L)
                & -RecordDescriptor.ALIGNMENT;
        return HandoffTransports.windowBytes(framed);
    }

    @Override
    public Medium create(Path dir, int maxPacketLength) throws IOException {
        long length = capacityFor(maxPacketLength) + (long) RingBufferDescriptor.TRAILER_LENGTH;
        Path path;
        try (MappedFile file = MappedFile.create(dir, "dsi-bench-agrona-", length)) {
            path = file.path();
        }
        return new Medium() {
            @Override
            public String location() {
                return path.toString();
            }

            @Override
            public void close() {
                try {
                    Files.deleteIfExists(path);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        };
    }

    @Override
    public Producer openProducer(String location, Payload payload) throws IOException {
        return new AgronaProducer(MappedFile.open(Path.of(location)), payload);
    }

    @Override
    public Consumer openConsumer(String location, int maxPacketLength) throws IOException {
        return new AgronaConsumer(MappedFile.open(Path.of(location)));
    }

    private static OneToOneRingBuffer ring(MappedFile file) {
        MemorySegment segment = file.segment();
        try {
            return new OneToOneRingBuffer(new UnsafeBuffer(segment.address(), Math.toIntExact(segment.byteSize())));
        } catch (RuntimeException e) {
            file.close();
            throw e;
        }
    }

    private static final class AgronaProducer implements Producer {
        private final MappedFile file;
        private final MemorySegment segment;
        private final OneToOneRingBuffer ring;
        private final Payload payload;

        AgronaProducer(MappedFile file, Payload payload) {
            this.ring = ring(file);
            this.file = file;
            this.segment = file.segment();
            this.payload = payload;
            if (payload.maxLength() > ring.maxMsgLength()) {
                file.close();
                throw new IllegalArgumentException("packets of " + payload.maxLength() + " B exceed the ring's "
                        + ring.maxMsgLength());
            }
        }

        @Override
        public boolean offer(long seq, long sentNs, int length) {
            int index = ring.tryClaim(MSG_TYPE_ID, length);
            if (index < 0) {
                return false;
            }
            payload.write(segment, index, length, seq, sentNs);
            ring.commit(index);
            return true;
        }

        @Override
        public void close() {
            file.close();
        }
    }

    private static final class AgronaConsumer implements Consumer, MessageHandler {
        private final MappedFile file;
        private final MemorySegment segment;
        private final OneToOneRingBuffer ring;
        private PacketHandler handler;

        AgronaConsumer(MappedFile file) {
            this.ring = ring(file);
            this.file = file;
            this.segment = file.segment();
        }

        @Override
        public int poll(PacketHandler handler, int limit) {
            this.handler = handler;
            return ring.read(this, limit);
        }

        @Override
        public void onMessage(int msgTypeId, MutableDirectBuffer buffer, int index, int length) {
            handler.onPacket(segment, index, length); // buffer is the ring's view of this same mapping
        }

        @Override
        public void close() {
            file.close();
        }
    }
}
