package io.dsipanama.stream;

import java.lang.foreign.MemorySegment;

/**
 * A region of the data area claimed by the {@link StreamProducer}, to be written in place and then
 * published with {@link #commit(long)} or given back with {@link #abort()}. The producer reuses one
 * instance: a claim is valid until it is committed or aborted.
 *
 * <p>Two ways to write: {@link #segment()} returns a slice of exactly the claimed bytes (one small object
 * per call); {@link #buffer()} with {@link #offset()} writes into the data-area segment itself, which
 * allocates nothing (the hot-path way).
 *
 * <p><b>Threading.</b> The producer's thread only.
 */
public final class Claim {
    private final StreamProducer producer;
    private final MemorySegment data;
    private long offset;
    private int length;
    private long allocation;
    private long start;
    private boolean open;

    Claim(StreamProducer producer, MemorySegment data) {
        this.producer = producer;
        this.data = data;
    }

    Claim open(long offset, int length, long allocation, long start) {
        this.offset = offset;
        this.length = length;
        this.allocation = allocation;
        this.start = start;
        this.open = true;
        return producer.opened();
    }

    /** The whole data area, writable; the claim is {@code [offset(), offset() + length())}. */
    public MemorySegment buffer() {
        return data;
    }

    /** Offset of the claimed bytes in {@link #buffer()}; a multiple of {@link StreamProducer#ALIGNMENT}. */
    public long offset() {
        return offset;
    }

    public int length() {
        return length;
    }

    /** A writable slice of exactly the claimed bytes. */
    public MemorySegment segment() {
        checkOpen();
        return data.asSlice(offset, length);
    }

    /** Publishes the claimed bytes as a packet of virtual time {@code virtualTime}. */
    public void commit(long virtualTime) {
        commit(virtualTime, length);
    }

    /** Publishes the first {@code usedLength} claimed bytes (claim the maximum, publish what you wrote). */
    public void commit(long virtualTime, int usedLength) {
        checkOpen();
        producer.commit(this, virtualTime, usedLength);
        open = false;
    }

    /** Gives the region back unpublished. */
    public void abort() {
        checkOpen();
        open = false;
        producer.abort();
    }

    long allocation() {
        return allocation;
    }

    long start() {
        return start;
    }

    private void checkOpen() {
        if (!open) {
            throw new IllegalStateException("claim already committed or aborted");
        }
    }
}
