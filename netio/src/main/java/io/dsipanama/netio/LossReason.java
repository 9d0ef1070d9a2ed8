package io.dsipanama.netio;

/** Why a frame was reported lost; ids are stable. */
public enum LossReason {
    /** Fragments were missing when the frame's validity ended (its deadline, or the reassembly timeout). */
    EXPIRED(1, NetCounter.LOST_EXPIRED),
    /** An incomplete frame gave its reassembly memory to a frame of higher priority. */
    EVICTED(2, NetCounter.LOST_EVICTED),
    /** No fragment of the frame arrived before a later frame of its stream completed. */
    SEQUENCE_GAP(3, NetCounter.LOST_SEQUENCE_GAP);

    private final int id;
    private final NetCounter counter;

    LossReason(int id, NetCounter counter) {
        this.id = id;
        this.counter = counter;
    }

    public int id() {
        return id;
    }

    public NetCounter counter() {
        return counter;
    }
}
