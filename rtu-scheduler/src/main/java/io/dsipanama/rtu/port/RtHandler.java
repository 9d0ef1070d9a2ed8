package io.dsipanama.rtu.port;

/**
 * Application code attached to an {@link RtPort}: upcalled with a buffer, on the virtual processor of the
 * port's reserve, at instants the connection's QoS decides (Coulson and Blair's rthandler). A source fills
 * the buffer (writing at {@link RtBuffer#offset()} and setting {@link RtBuffer#length(int)}); a stage
 * works on it in place; a sink uses it. The same handler code runs whether the other end is in this process
 * (the buffer is handed over by reference) or in another one (the buffer is a DSI stream's shared memory).
 *
 * <p>Handlers of one virtual processor never run concurrently, so their state needs no locks. They must not
 * block, and the buffer is valid only during the call.
 */
@FunctionalInterface
public interface RtHandler {
    /**
     * Handles {@code buffer}. Returns true to pass it on (a source: send it; a stage: hand it to the next
     * one), false to drop it (a source with nothing to send, a filtering stage; counted, not an error).
     */
    boolean onBuffer(RtBuffer buffer);
}
