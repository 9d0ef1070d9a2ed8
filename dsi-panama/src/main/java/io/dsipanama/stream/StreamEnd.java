package io.dsipanama.stream;

import java.lang.foreign.MemorySegment;

import static io.dsipanama.stream.StreamHeaderDescriptor.*;

/**
 * What the producer and the consumer of a stream both hold: the mapping and the views over it (slots, the
 * two wake-up signals, the drop record, the counters), and the role they attached as. One instance per
 * attached end, owned by it.
 */
abstract sealed class StreamEnd permits StreamProducer, StreamConsumer {
    final StreamMapping mapping;
    final String name;
    final StreamSpec spec;
    final MemorySegment header;
    final MemorySegment data;
    final StreamHeader counters;
    final Slots slots;
    final Signal dataSignal;
    final Signal spaceSignal;
    final DropRecord dropRecord;
    final long dataLength;
    /** Whether packets expire by the clock: real-time streams with a finite validity. */
    final boolean expires;
    /** Memory chaining: the shared data area this stream's slots point into, or null (its own data area). */
    final ChainLink chain;

    StreamEnd(StreamMapping mapping, ChainLink chain) {
        this.mapping = mapping;
        this.chain = chain;
        this.name = mapping.name();
        this.spec = mapping.spec();
        this.header = mapping.headerSegment();
        this.data = chain == null ? mapping.dataSegment()
                : mapping.role() == StreamRole.PRODUCER ? chain.area.data() : chain.area.data().asReadOnly();
        this.counters = mapping.header();
        this.slots = new Slots(mapping.controlSegment(), spec.descriptorCount(), chain);
        this.dataSignal = new Signal(header, DATA_AVAILABLE_OFFSET, DATA_WAITERS_OFFSET);
        this.spaceSignal = new Signal(header, SPACE_AVAILABLE_OFFSET, SPACE_WAITERS_OFFSET);
        this.dropRecord = new DropRecord(header);
        this.dataLength = data.byteSize();
        this.expires = spec.mode() == StreamMode.REAL_TIME && spec.validityTicks() != Long.MAX_VALUE;
    }
}
