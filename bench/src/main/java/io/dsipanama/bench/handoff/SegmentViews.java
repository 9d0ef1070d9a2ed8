package io.dsipanama.bench.handoff;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

import org.agrona.DirectBuffer;

/**
 * {@link MemorySegment} views of the memory behind Agrona {@link DirectBuffer}s, so that the same
 * {@link Payload} code reads and writes packets whatever the transport hands out. The views are made
 * once per backing byte array or {@link ByteBuffer} and then reused: looking one up allocates nothing.
 * No restricted method is needed: the views come from {@link MemorySegment#ofArray} and
 * {@link MemorySegment#ofBuffer}.
 *
 * <p>Agrona's {@link DirectBuffer#wrapAdjustment()} is the buffer's start relative to index 0 of its
 * array or to the base address of its ByteBuffer, which is where the views start.
 *
 * <p>Threading: one thread (each side of a transport owns one).
 */
final class SegmentViews {
    /** Aeron's three term buffers, the fragment assembler's buffer, and room to spare. */
    private static final int SLOTS = 8;

    private final Object[] backings = new Object[SLOTS];
    private final MemorySegment[] views = new MemorySegment[SLOTS];
    private int used;

    /**
     * The view of {@code buffer}'s backing memory; index {@code i} of the buffer is at
     * {@code buffer.wrapAdjustment() + i} in it.
     */
    MemorySegment of(DirectBuffer buffer) {
        Object backing = buffer.byteArray();
        if (backing == null) {
            backing = buffer.byteBuffer();
        }
        for (int i = 0; i < used; i++) {
            if (backings[i] == backing) {
                return views[i];
            }
        }
        return add(buffer, backing);
    }

    private MemorySegment add(DirectBuffer buffer, Object backing) {
        MemorySegment view;
        if (backing instanceof byte[] array) {
            view = MemorySegment.ofArray(array);
        } else if (backing instanceof ByteBuffer byteBuffer && byteBuffer.isDirect()) {
            view = MemorySegment.ofBuffer(byteBuffer.duplicate().clear());
        } else {
            throw new IllegalArgumentException("no byte array or direct ByteBuffer behind " + buffer.getClass().getName()
                    + " (a raw address cannot be viewed without a restricted method)");
        }
        int slot = used < SLOTS ? used++ : 0; // a transport that keeps making buffers degrades, never fails
        backings[slot] = backing;
        views[slot] = view;
        return view;
    }
}
