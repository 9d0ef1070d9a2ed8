package io.dsipanama.bench.handoff;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

import io.aeron.Aeron;
import io.aeron.ControlledFragmentAssembler;
import io.aeron.ExclusivePublication;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.aeron.logbuffer.BufferClaim;
import io.aeron.logbuffer.ControlledFragmentHandler;
import io.aeron.logbuffer.Header;
import io.aeron.protocol.DataHeaderFlyweight;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Aeron IPC ({@code aeron:ipc}): an embedded media driver, one {@link ExclusivePublication} and one
 * {@link Subscription}, each side with its own Aeron client, so the same code serves threads and processes.
 *
 * <p>Channel: {@code aeron:ipc?term-length=T|mtu=M}. The MTU is Aeron's largest, 65504 B (property
 * {@value #MTU_PROPERTY}), or {@code T / 8} where that is less (Aeron's rule; such packets fit one frame), so packets up to {@code M - 32} B are sent with {@code tryClaim} (written in
 * place into the log) and larger ones with the two-part {@code offer} (16-byte header from a small
 * buffer, body copied by Aeron straight from the {@link Payload} pattern), which fragments them. Term
 * length: Aeron limits a message to {@code termLength / 8} (and 16 MiB), and lets the publisher run
 * {@code termLength / 2} ahead of the subscriber, so the term is twice
 * {@link HandoffTransports#windowBytes} of the framed packet (one 32-byte header per fragment): for
 * 4 MiB packets a 128 MiB term (a 384 MiB log in {@code /dev/shm}).
 *
 * <p>The consumer reassembles with {@link ControlledFragmentAssembler} (a direct buffer): the
 * controlled variant of {@code FragmentAssembler}, so that a poll can stop after a whole packet. An
 * unfragmented packet is read in place in the log; a fragmented one from the assembler's buffer.
 *
 * <p>Ordering: Aeron's: the frame length is stored with release after the frame is written, and the
 * subscriber loads it with acquire. The media driver runs {@link ThreadingMode#SHARED} (one agent
 * thread with a backoff idle strategy) since IPC needs no sender or receiver, and on two cores every
 * spinning thread counts; the driver advances the publisher's limit, so it is part of the measurement.
 */
public final class AeronTransport implements HandoffTransport {
    public static final String MTU_PROPERTY = "dsi.bench.aeron.mtu";
    static final int STREAM_ID = 1001;
    private static final int HEADER = DataHeaderFlyweight.HEADER_LENGTH;
    private static final int FRAGMENT_LIMIT = 256;

    @Override
    public String name() {
        return "aeron";
    }

    static int configuredMtu() {
        return Integer.getInteger(MTU_PROPERTY, 65504);
    }

    /**
     * The MTU used for packets of up to {@code maxPacketLength}: the configured one, or less where the
     * term is small, since Aeron wants {@code mtu <= termLength / 8}. Lowered only where the packet still
     * fits one frame (the term holds 16 framed packets, so {@code termLength / 8} holds two).
     */
    static int mtuFor(int maxPacketLength) {
        int mtu = configuredMtu();
        return Math.min(mtu, termLengthFor(maxPacketLength, mtu) / 8);
    }

    /** The IPC term length for packets of up to {@code maxPacketLength} bytes. */
    static int termLengthFor(int maxPacketLength, int mtu) {
        int maxPayload = mtu - HEADER;
        long fragments = (maxPacketLength + maxPayload - 1L) / maxPayload;
        long framed = (maxPacketLength + fragments * HEADER + HEADER - 1) & -HEADER;
        return 2 * HandoffTransports.windowBytes(framed);
    }

    static String channel(int maxPacketLength) {
        return "aeron:ipc?term-length=" + termLengthFor(maxPacketLength, configuredMtu()) + "|mtu=" + mtuFor(maxPacketLength);
    }

    @Override
    public Medium create(Path dir, int maxPacketLength) {
        String aeronDir = dir.resolve("dsi-bench-aeron-" + ProcessHandle.current().pid() + "-" + System.nanoTime()).toString();
        MediaDriver driver = MediaDriver.launch(new MediaDriver.Context()
                .aeronDirectoryName(aeronDir)
                .threadingMode(ThreadingMode.SHARED)
                .sharedIdleStrategy(new BackoffIdleStrategy())
                .ipcMtuLength(mtuFor(maxPacketLength))
                .ipcTermBufferLength(termLengthFor(maxPacketLength, configuredMtu()))
                .dirDeleteOnStart(true)
                .dirDeleteOnShutdown(true)
                .warnIfDirectoryExists(false)
                .printConfigurationOnStart(false));
        return new Medium() {
            @Override
            public String location() {
                return aeronDir;
            }

            @Override
            public void close() {
                CloseHelper.close(driver);
            }
        };
    }

    private static Aeron connect(String location) {
        return Aeron.connect(new Aeron.Context().aeronDirectoryName(location));
    }

    @Override
    public Producer openProducer(String location, Payload payload) {
        return new AeronProducer(connect(location), payload);
    }

    @Override
    public Consumer openConsumer(String location, int maxPacketLength) {
        return new AeronConsumer(connect(location), maxPacketLength);
    }

    private static final class AeronProducer implements Producer {
        private final Aeron aeron;
        private final ExclusivePublication publication;
        private final Payload payload;
        private final BufferClaim claim = new BufferClaim();
        private final SegmentViews views = new SegmentViews();
        private final Arena arena = Arena.ofShared();
        private final MemorySegment header = arena.allocate(Payload.HEADER_LENGTH, 8);
        private final UnsafeBuffer headerBuffer;
        private final UnsafeBuffer patternBuffer;
        private final int maxPayload;

        AeronProducer(Aeron aeron, Payload payload) {
            this.aeron = aeron;
            this.payload = payload;
            try {
                this.publication = aeron.addExclusivePublication(channel(payload.maxLength()), STREAM_ID);
                if (payload.maxLength() > publication.maxMessageLength()) {
                    throw new IllegalArgumentException("packets of " + payload.maxLength() + " B exceed Aeron's "
                            + publication.maxMessageLength());
                }
            } catch (RuntimeException e) {
                close();
                throw e;
            }
            this.maxPayload = publication.maxPayloadLength();
            this.headerBuffer = new UnsafeBuffer(header.address(), Payload.HEADER_LENGTH);
            this.patternBuffer = new UnsafeBuffer(payload.pattern().address(), Math.toIntExact(payload.pattern().byteSize()));
        }

        @Override
        public boolean offer(long seq, long sentNs, int length) {
            long result;
            if (length <= maxPayload) {
                result = publication.tryClaim(length, claim);
                if (result > 0) {
                    DirectBuffer buffer = claim.buffer();
                    payload.write(views.of(buffer), buffer.wrapAdjustment() + claim.offset(), length, seq, sentNs);
                    claim.commit();
                    return true;
                }
            } else {
                Payload.writeHeader(header, 0, seq, sentNs);
                result = publication.offer(headerBuffer, 0, Payload.HEADER_LENGTH,
                        patternBuffer, (int) Payload.bodyOffset(seq), length - Payload.HEADER_LENGTH);
                if (result > 0) {
                    return true;
                }
            }
            if (result == Publication.CLOSED || result == Publication.MAX_POSITION_EXCEEDED) {
                throw new IllegalStateException("Aeron publication failed: " + Publication.errorString(result));
            }
            return false; // BACK_PRESSURED, ADMIN_ACTION, or NOT_CONNECTED before the subscriber joined
        }

        @Override
        public void close() {
            CloseHelper.closeAll(publication, aeron);
            if (arena.scope().isAlive()) {
                arena.close();
            }
        }
    }

    private static final class AeronConsumer implements Consumer, ControlledFragmentHandler {
        private final Aeron aeron;
        private final Subscription subscription;
        private final ControlledFragmentAssembler assembler;
        private final SegmentViews views = new SegmentViews();
        private PacketHandler handler;
        private int limit;
        private int delivered;

        AeronConsumer(Aeron aeron, int maxPacketLength) {
            this.aeron = aeron;
            try {
                this.subscription = aeron.addSubscription("aeron:ipc", STREAM_ID);
            } catch (RuntimeException e) {
                aeron.close();
                throw e;
            }
            this.assembler = new ControlledFragmentAssembler(this, maxPacketLength, true);
        }

        @Override
        public int poll(PacketHandler handler, int limit) {
            this.handler = handler;
            this.limit = limit;
            this.delivered = 0;
            subscription.controlledPoll(assembler, FRAGMENT_LIMIT);
            return delivered;
        }

        @Override
        public Action onFragment(DirectBuffer buffer, int offset, int length, Header header) {
            handler.onPacket(views.of(buffer), buffer.wrapAdjustment() + offset, length);
            return ++delivered >= limit ? Action.BREAK : Action.CONTINUE;
        }

        @Override
        public void close() {
            CloseHelper.closeAll(subscription, aeron);
        }
    }
}
