package io.dsipanama.netio;

/**
 * The header values of a frame to send, filled by the caller and reused: {@link UdpSender#offer} copies
 * them, so one instance serves every frame of a thread. Fields mirror {@link FrameHeaderDescriptor}.
 */
public final class OutgoingFrame {
    private int streamId;
    private long sequence;
    private long virtualTime;
    private int priority;
    private int flags;
    private int periodUs;
    private int deadlineUs;

    public OutgoingFrame streamId(int streamId) {
        this.streamId = streamId;
        return this;
    }

    public OutgoingFrame sequence(long sequence) {
        this.sequence = sequence;
        return this;
    }

    public OutgoingFrame virtualTime(long virtualTime) {
        this.virtualTime = virtualTime;
        return this;
    }

    /** Priority class 0 (lowest) to 7 (highest). */
    public OutgoingFrame priority(int priority) {
        if (priority < 0 || priority > FrameHeaderDescriptor.MAX_PRIORITY) {
            throw new IllegalArgumentException("priority class 0..7: " + priority);
        }
        this.priority = priority;
        return this;
    }

    /** Application flags, bits 0-3. */
    public OutgoingFrame flags(int flags) {
        if ((flags & ~FrameHeaderDescriptor.APPLICATION_FLAGS_MASK) != 0) {
            throw new IllegalArgumentException("application flags are bits 0-3: 0x" + Integer.toHexString(flags));
        }
        this.flags = flags;
        return this;
    }

    public OutgoingFrame periodUs(int periodUs) {
        this.periodUs = periodUs;
        return this;
    }

    /** Validity at the receiver, from its first fragment's arrival; 0 lets the receiver's default apply. */
    public OutgoingFrame deadlineUs(int deadlineUs) {
        this.deadlineUs = deadlineUs;
        return this;
    }

    public int streamId() {
        return streamId;
    }

    public long sequence() {
        return sequence;
    }

    public long virtualTime() {
        return virtualTime;
    }

    public int priority() {
        return priority;
    }

    public int flags() {
        return flags;
    }

    public int periodUs() {
        return periodUs;
    }

    public int deadlineUs() {
        return deadlineUs;
    }
}
