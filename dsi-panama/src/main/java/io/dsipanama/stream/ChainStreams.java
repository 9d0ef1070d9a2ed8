package io.dsipanama.stream;

import io.dsipanama.ffm.support.ProcessIdentity;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;

import static io.dsipanama.stream.ChainAreaDescriptor.*;
import static io.dsipanama.stream.PacketDescriptorDescriptor.*;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * A holder's view of the member streams of its area: the stream table (register, look up), the stream ends
 * it makes, and read-write views of other members' control areas for the scans of a revoke and a sweep
 * (mapped lazily, off the hot path). Owned by one {@link ChainHolder}; same threading.
 */
final class ChainStreams implements AutoCloseable {
    private static final VarHandle INT = JAVA_INT.varHandle();

    private final ChainHolder holder;
    private final ChainArea area;
    private final MemorySegment all;
    private final StreamMapping[] views = new StreamMapping[MAX_STREAMS];
    private final Slots[] viewSlots = new Slots[MAX_STREAMS];

    ChainStreams(ChainHolder holder) {
        this.holder = holder;
        this.area = holder.area();
        this.all = area.segment();
    }

    StreamProducer createProducer(String name, StreamSpec spec) {
        int blockBytes = area.blockBytes();
        if (spec.maxPacketBytes() > blockBytes) {
            throw new IllegalArgumentException("stream '" + name + "': max packet " + spec.maxPacketBytes()
                    + " bytes does not fit a block of chain '" + area.name() + "' (" + blockBytes + " bytes)");
        }
        // the stream's own data area stays unused: the smallest one its max packet allows
        long own = ChainAreaDescriptor.roundUp(spec.maxPacketBytes(), io.dsipanama.ffm.Unistd.pageSize());
        StreamSpec chained = new StreamSpec(spec.descriptorCount(), own, spec.maxPacketBytes(), spec.validityTicks(),
                spec.epochNs(), spec.nsPerTick(), spec.policy(), spec.mode(), spec.lockInMemory());
        int s = register(name);
        StreamMapping mapping;
        try {
            mapping = area.directory().create(name, chained);
        } catch (RuntimeException | Error e) {
            unregister(s);
            throw e;
        }
        return StreamProducer.attach(mapping, new ChainLink(holder, s));
    }

    StreamProducer openProducer(String name) {
        int s = require(name);
        return StreamProducer.attach(area.directory().open(name, StreamRole.PRODUCER), new ChainLink(holder, s));
    }

    StreamConsumer openConsumer(String name) {
        int s = require(name);
        return StreamConsumer.attach(area.directory().open(name, StreamRole.CONSUMER), new ChainLink(holder, s));
    }

    private int require(String name) {
        int s = find(name);
        if (s < 0) {
            throw new StreamAccessException(StreamAccessException.Reason.NOT_FOUND, "stream '" + name
                    + "' is not a member of chain '" + area.name() + "'");
        }
        return s;
    }

    private int register(String name) {
        StreamDirectory.validateName(name);
        if (find(name) >= 0) {
            throw new StreamAccessException(StreamAccessException.Reason.ALREADY_EXISTS, "stream '" + name
                    + "' is already a member of chain '" + area.name() + "'");
        }
        byte[] bytes = name.getBytes(StandardCharsets.US_ASCII);
        for (int s = 0; s < MAX_STREAMS; s++) {
            long entry = entry(s);
            if (INT.compareAndSet(all, entry + STREAM_STATE, STREAM_FREE, STREAM_REGISTERING)) {
                MemorySegment.copy(bytes, 0, all, JAVA_BYTE, entry + STREAM_NAME, bytes.length);
                all.set(JAVA_INT, entry + STREAM_NAME_LENGTH, bytes.length);
                INT.setRelease(all, entry + STREAM_STATE, STREAM_REGISTERED); // pairs with the getAcquire in nameOf
                return s;
            }
        }
        throw new IllegalStateException("chain '" + area.name() + "': all " + MAX_STREAMS + " stream entries are taken");
    }

    private void unregister(int s) {
        INT.setRelease(all, entry(s) + STREAM_STATE, STREAM_FREE); // pairs with the CAS in register()
    }

    /** The registered name of entry {@code s}, or null (free, being registered, or an impossible length). */
    private String nameOf(int s) {
        long entry = entry(s);
        if ((int) INT.getAcquire(all, entry + STREAM_STATE) != STREAM_REGISTERED) {
            return null;
        }
        int length = all.get(JAVA_INT, entry + STREAM_NAME_LENGTH);
        if (length < 1 || length > MAX_NAME_LENGTH) {
            return null; // untrusted: never slice with it
        }
        byte[] bytes = new byte[length];
        MemorySegment.copy(all, JAVA_BYTE, entry + STREAM_NAME, bytes, 0, length);
        return new String(bytes, StandardCharsets.US_ASCII);
    }

    private int find(String name) {
        for (int s = 0; s < MAX_STREAMS; s++) {
            if (name.equals(nameOf(s))) {
                return s;
            }
        }
        return -1;
    }

    private static long entry(int s) {
        return STREAMS_OFFSET + (long) s * STREAM_ENTRY_LENGTH;
    }

    /** Slots of member {@code s} with this holder as the release hook, or null if it cannot be mapped. */
    private Slots view(int s) {
        if (s < 0 || s >= MAX_STREAMS) {
            return null;
        }
        String name = nameOf(s);
        if (name == null) {
            return null;
        }
        if (views[s] == null || !views[s].name().equals(name)) {
            closeView(s);
            try {
                views[s] = area.directory().open(name, StreamRole.CONSUMER); // maps; attaches no role
            } catch (StreamException e) {
                return null; // removed or not yet published: nothing of it to scan
            }
            viewSlots[s] = new Slots(views[s].controlSegment(), views[s].spec().descriptorCount(), new ChainLink(holder, s));
        }
        return viewSlots[s];
    }

    /** True if position {@code position} of member {@code s} was published (or {@code s} cannot be checked). */
    boolean isPublished(int s, long position) {
        Slots slots = view(s);
        if (slots == null || position < 0) {
            return true; // cannot tell: keep the reference (a leak is safer than a use after free)
        }
        return slots.acquireSequence(slots.base(position)) >= publishedSequence(position);
    }

    /** Moves every non-final slot naming {@code offset} to REVOKED, in every member stream. */
    void revokeSlots(long offset) {
        for (int s = 0; s < MAX_STREAMS; s++) {
            Slots slots = view(s);
            if (slots == null) {
                continue;
            }
            for (int i = 0; i < slots.count(); i++) {
                long base = (long) i * LENGTH;
                while (true) {
                    long state = slots.acquireState(base);
                    int code = Slots.code(state);
                    long p = Slots.positionOf(state);
                    if ((code != STATE_READY && code != STATE_TAKEN) || slots.acquireSequence(base) != publishedSequence(p)
                            || slots.dataOffset(base) != offset || (slots.flags(base) & FLAG_MISSING) != 0
                            || slots.casState(base, state, state(p, STATE_REVOKED))) {
                        break;
                    }
                }
            }
        }
    }

    /** Releases packets still TAKEN by a consumer that died or closed, in every member stream. */
    void releaseDeadConsumers() {
        for (int s = 0; s < MAX_STREAMS; s++) {
            Slots slots = view(s);
            if (slots == null) {
                continue;
            }
            ProcessIdentity consumer = views[s].header().acquireConsumer();
            boolean gone = consumer.pid() == PeerAttachment.DETACHED || (consumer.pid() > 0 && !consumer.isAlive());
            if (!gone) {
                continue;
            }
            for (int i = 0; i < slots.count(); i++) {
                long base = (long) i * LENGTH;
                long state = slots.acquireState(base);
                if (Slots.code(state) == STATE_TAKEN) {
                    slots.casState(base, state, state(Slots.positionOf(state), STATE_RELEASED));
                }
            }
        }
    }

    private void closeView(int s) {
        if (views[s] != null) {
            views[s].close();
            views[s] = null;
            viewSlots[s] = null;
        }
    }

    @Override
    public void close() {
        for (int s = 0; s < MAX_STREAMS; s++) {
            closeView(s);
        }
    }
}
