package io.dsipanama.netio;

/** Told, on the ring's thread, about frames that will not be delivered. */
@FunctionalInterface
public interface LossListener {
    /** Frames {@code firstSequence .. firstSequence + count - 1} of {@code streamId} are lost for {@code reason}. */
    void onLost(int streamId, long firstSequence, long count, LossReason reason);
}
