package io.dsipanama.stream;

/**
 * The counters every stream keeps in its header (see {@link StreamCountersDescriptor}). Ids are stable:
 * an id is the counter's slot in shared memory, so a new counter takes the next free id and a retired
 * counter's id is never given to another (mark it deprecated instead). Each counter has one writer.
 */
public enum StreamCounter {
    PRODUCED(0, "produced", "producer", "packets committed"),
    CONSUMED(1, "consumed", "consumer", "packets released after reading"),
    BYTES_PRODUCED(2, "bytes_produced", "producer", "payload bytes committed"),
    BYTES_CONSUMED(3, "bytes_consumed", "consumer", "payload bytes released"),
    DROPPED_OVERFLOW_OLDEST(4, "dropped_overflow_oldest", "producer", "unconsumed packets overwritten under DROP_OLDEST"),
    DROPPED_OVERFLOW_NEWEST(5, "dropped_overflow_newest", "producer", "new packets refused under DROP_NEWEST"),
    EXPIRED(6, "expired", "producer", "packets whose validity ran out before they were consumed"),
    PRODUCER_MARKED_MISSING(7, "producer_marked_missing", "producer", "slots published with the MISSING flag"),
    SKIPPED(8, "skipped", "consumer", "packets passed over by a spool forward"),
    REVOKED(9, "revoked", "producer", "packets whose memory the producer reclaimed"),
    FUTEX_WAITS_PRODUCER(10, "futex_waits_producer", "producer", "times the producer slept on space_available"),
    FUTEX_WAITS_CONSUMER(11, "futex_waits_consumer", "consumer", "times the consumer slept on data_available"),
    FUTEX_WAKES_PRODUCER(12, "futex_wakes_producer", "consumer", "wake calls the consumer made for a waiting producer"),
    FUTEX_WAKES_CONSUMER(13, "futex_wakes_consumer", "producer", "wake calls the producer made for a waiting consumer"),
    CORRUPTION_DETECTED(14, "corruption_detected", "consumer", "descriptors the consumer refused as inconsistent");

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
