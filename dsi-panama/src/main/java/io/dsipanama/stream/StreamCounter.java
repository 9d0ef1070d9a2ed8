package io.dsipanama.stream;

/**
 * The counters every stream keeps in its header (see {@link StreamCountersDescriptor}). Ids are stable:
 * an id is the counter's slot in shared memory, so a new counter takes the next free id and a retired
 * counter's id is never given to another (mark it deprecated instead). Each counter has one writer.
 */
public enum StreamCounter {
    // producer-written counters: ids 0..15, the first 128-byte block of the region
    PRODUCED(0, "produced", "producer", "packets committed (MISSING markers not included)"),
    BYTES_PRODUCED(1, "bytes_produced", "producer", "payload bytes committed"),
    DROPPED_OVERFLOW_OLDEST(2, "dropped_overflow_oldest", "producer", "unconsumed packets overwritten under DROP_OLDEST"),
    DROPPED_OVERFLOW_NEWEST(3, "dropped_overflow_newest", "producer", "new packets refused under DROP_NEWEST"),
    EXPIRED(4, "expired", "producer", "unconsumed packets reclaimed by the producer after their validity ended"),
    PRODUCER_MARKED_MISSING(5, "producer_marked_missing", "producer", "slots published with the MISSING flag"),
    REVOKED(6, "revoked", "producer", "packets whose memory the producer took back while the consumer held them"),
    FUTEX_WAITS_PRODUCER(7, "futex_waits_producer", "producer", "times the producer slept on space_available"),
    FUTEX_WAKES_CONSUMER(8, "futex_wakes_consumer", "producer", "wake calls the producer made for a sleeping consumer"),
    MISSING_DROPPED(9, "missing_dropped", "producer", "MISSING markers reclaimed before the consumer saw them"),
    RECLAIMED(12, "reclaimed", "producer", "packets the producer reclaimed before the consumer took them"),
    PAGES_RECLAIMED(13, "pages_reclaimed", "producer", "data-area pages returned to the kernel (fallocate PUNCH_HOLE)"),
    PRODUCER_CORRUPTION_DETECTED(14, "producer_corruption_detected", "producer", "impossible shared values the producer refused and repaired"),
    RECOVERED_FROM_DEAD_CONSUMER(15, "recovered_from_dead_consumer", "producer", "packets a dead or departed consumer held that the producer took back"),
    // consumer-written counters: ids 16..31, the second block, so the two sides never share a cache line
    CONSUMED(16, "consumed", "consumer", "packets released after reading"),
    BYTES_CONSUMED(17, "bytes_consumed", "consumer", "payload bytes released"),
    SKIPPED(18, "skipped", "consumer", "packets passed over by a spool forward"),
    EXPIRED_AT_CONSUMER(19, "expired_at_consumer", "consumer", "packets the consumer found expired and discarded"),
    FUTEX_WAITS_CONSUMER(20, "futex_waits_consumer", "consumer", "times the consumer slept on data_available"),
    FUTEX_WAKES_PRODUCER(21, "futex_wakes_producer", "consumer", "wake calls the consumer made for a sleeping producer"),
    CORRUPTION_DETECTED(22, "corruption_detected", "consumer", "descriptors the consumer refused as inconsistent"),
    TAKEN(23, "taken", "consumer", "packets delivered to the application"),
    REVOKED_SEEN(24, "revoked_seen", "consumer", "held packets the consumer found revoked when releasing them"),
    MISSING_SEEN(25, "missing_seen", "consumer", "MISSING markers the consumer passed"),
    REVOKED_BY_FAULT(28, "revoked_by_fault", "consumer", "held packets found revoked through a page fault (userfaultfd)"),
    REVOKED_BY_CHECK(29, "revoked_by_check", "consumer", "held packets found revoked by the state check alone (no fault seen first)"),
    REUSE_FAULTS(30, "reuse_faults", "consumer", "page faults on pages that were reclaimed and then legitimately rewritten"),
    FAULT_EVENTS_LOST(31, "fault_events_lost", "consumer", "page faults resolved but not recorded (the event ring was full)");

    /** First id of the consumer's block; producer ids are below it. */
    public static final int FIRST_CONSUMER_ID = 16;

    private final int id;
    private final String label;
    private final String writer;
    private final String meaning;

    StreamCounter(int id, String label, String writer, String meaning) {
        this.id = id;
        this.label = label;
        this.writer = writer;
        this.meaning = meaning;
    }

    /** The stable id: the counter's slot index in the counters region. */
    public int id() {
        return id;
    }

    /** The stable snake_case name, for reports and metrics. */
    public String label() {
        return label;
    }

    /** The one party that increments it: "producer" or "consumer". */
    public String writer() {
        return writer;
    }

    public String meaning() {
        return meaning;
    }

    /** Byte offset of this counter within the counters region. */
    public int offset() {
        return StreamCountersDescriptor.offsetOf(id);
    }
}
