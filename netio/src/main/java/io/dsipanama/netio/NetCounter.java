package io.dsipanama.netio;

/**
 * The counters of one {@link RingOwner} and everything driven by it (see {@link NetCountersDescriptor}).
 * Ids are stable: an id is the counter's slot, a new counter takes the next free id, and a retired id is
 * never reused. Every counter is written by the ring's thread only.
 */
public enum NetCounter {
    RX_DATAGRAMS(0, "rx_datagrams", "datagrams reaped from the ring"),
    RX_BYTES(1, "rx_bytes", "bytes of those datagrams, headers included"),
    RX_FRAMES(2, "rx_frames", "frames handed to a handler"),
    RX_FRAME_BYTES(3, "rx_frame_bytes", "payload bytes of those frames"),
    TX_FRAMES(4, "tx_frames", "frames fully sent and released to their owner"),
    TX_DATAGRAMS(5, "tx_datagrams", "datagrams the kernel accepted"),
    TX_BYTES(6, "tx_bytes", "bytes the kernel accepted, headers included"),
    TX_SENDMSGS(7, "tx_sendmsgs", "SENDMSG or SENDMSG_ZC submissions"),
    RING_SUBMITS(8, "ring_submits", "io_uring_submit calls that carried at least one SQE"),
    TX_GSO_SENDMSGS(9, "tx_gso_sendmsgs", "submissions carrying several datagrams through UDP_SEGMENT"),
    TX_ZC_SENDMSGS(10, "tx_zc_sendmsgs", "SENDMSG_ZC submissions"),
    TX_ZC_COPIED(11, "tx_zc_copied", "zero-copy notifications reporting that the kernel copied anyway"),
    TX_ZC_ZEROCOPY(12, "tx_zc_zerocopy", "zero-copy notifications reporting a real zero-copy send"),
    TX_ERRORS(13, "tx_errors", "send completions with an error"),
    TX_BACK_PRESSURED(14, "tx_back_pressured", "offers refused because the send queue was full"),
    DROP_TRUNCATED(15, "drop_truncated", "datagrams shorter than a header"),
    DROP_BAD_MAGIC(16, "drop_bad_magic", "datagrams without the magic"),
    DROP_BAD_VERSION(17, "drop_bad_version", "datagrams of another wire version"),
    DROP_BAD_LENGTH(18, "drop_bad_length", "frame length above the maximum, or payload length not as declared"),
    DROP_BAD_OFFSET(19, "drop_bad_offset", "fragment offset beyond the frame or off the stride"),
    DROP_DUPLICATE_FRAGMENT(20, "drop_duplicate_fragment", "fragments already received"),
    DROP_OVERLAPPING_FRAGMENT(21, "drop_overlapping_fragment", "fragments whose bytes overlap received ones"),
    DROP_INCONSISTENT_FRAGMENT(22, "drop_inconsistent_fragment", "fragments disagreeing with their frame's header"),
    DROP_OVERSIZE(23, "drop_oversize", "datagrams larger than a receive buffer (MSG_TRUNC)"),
    DROP_SOURCE_NOT_ALLOWED(24, "drop_source_not_allowed", "datagrams from a source outside the allow-list"),
    DROP_REASSEMBLY_FULL(25, "drop_reassembly_full", "first fragments refused: reassembly slots or memory used up"),
    DROP_STALE(26, "drop_stale", "frames already delivered or reported lost"),
    DROP_OVERLOAD(27, "drop_overload", "queued datagrams shed, lowest priority first, to keep buffers free"),
    DROP_NO_HANDLER(28, "drop_no_handler", "frames of a priority without a handler"),
    DROP_BAD_FIELD(29, "drop_bad_field", "priority, header length, stride or reserved flags out of range"),
    LOST_EXPIRED(30, "lost_expired", "frames that could not complete before their validity ended"),
    LOST_EVICTED(31, "lost_evicted", "incomplete frames evicted for a higher-priority frame"),
    LOST_SEQUENCE_GAP(32, "lost_sequence_gap", "frames of which no fragment arrived before a later frame completed"),
    RX_ENOBUFS(33, "rx_enobufs", "multishot receives stopped because every provided buffer was in use"),
    RX_REARMS(34, "rx_rearms", "receive submissions (multishot re-arms or single-shot posts)"),
    RX_ERRORS(35, "rx_errors", "receive completions with an unexpected error"),
    STREAM_STATE_EVICTED(36, "stream_state_evicted", "per-stream sequence state replaced by another stream's"),
    TX_DATAGRAMS_QUEUED(37, "tx_datagrams_queued", "datagrams put into submissions"),
    TCP_SENDS(38, "tcp_sends", "TCP SEND or SEND_ZC submissions"),
    TCP_ZC_SENDS(39, "tcp_zc_sends", "TCP SEND_ZC submissions (usage reported in tx_zc_copied / tx_zc_zerocopy)"),
    TCP_BYTES_SENT(40, "tcp_bytes_sent", "bytes TCP sends completed"),
    TCP_BYTES_RECEIVED(41, "tcp_bytes_received", "bytes TCP receives completed"),
    TCP_PACING_WAITS(42, "tcp_pacing_waits", "times a TCP send waited for the token bucket"),
    TCP_ERRORS(43, "tcp_errors", "TCP connect, accept, send or receive completions with an error"),
    FUTEX_WAITS(44, "futex_waits", "FUTEX_WAIT requests armed on a stream's data word (the ring sleeps on it)"),
    FUTEX_WAKES(45, "futex_wakes", "FUTEX_WAITs completed by a FUTEX_WAKE (a commit woke the ring)"),
    FUTEX_WAIT_CHANGED(46, "futex_wait_changed", "FUTEX_WAITs that completed at once: the word had moved on (EAGAIN)"),
    FUTEX_WAIT_ERRORS(47, "futex_wait_errors", "FUTEX_WAIT completions with another error"),
    IDLE_SLEEPS(48, "idle_sleeps", "sleeps in io_uring_enter when a cycle found nothing to do"),
    IDLE_TIMEOUTS(49, "idle_timeouts", "sleeps that ended by their timeout with no completion (a poll, not a wake)");

    private final int id;
    private final String label;
    private final String meaning;

    NetCounter(int id, String label, String meaning) {
        this.id = id;
        this.label = label;
        this.meaning = meaning;
    }

    /** The stable id: the counter's slot in the counters region. */
    public int id() {
        return id;
    }

    /** The stable snake_case name, for reports. */
    public String label() {
        return label;
    }

    public String meaning() {
        return meaning;
    }
}
