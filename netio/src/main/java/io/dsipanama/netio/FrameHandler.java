package io.dsipanama.netio;

import java.lang.foreign.MemorySegment;

/** Receives whole frames, on the ring's thread, registered per priority class on a {@link UdpReceiver}. */
@FunctionalInterface
public interface FrameHandler {
    /**
     * A complete frame: {@code length} bytes at {@code offset} of {@code buffer} (a receive buffer, a slot of
     * the caller's landing region, or reassembly memory), valid only during this call. {@code header} is the
     * frame's header with fragment offset 0; it too is only valid during the call.
     */
    void onFrame(FrameHeader header, MemorySegment buffer, long offset, int length);
}
