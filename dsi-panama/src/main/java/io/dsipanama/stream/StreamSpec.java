package io.dsipanama.stream;

import io.dsipanama.ffm.Unistd;

import java.util.Objects;

/**
 * What a stream is, fixed at creation and stored in its header: ring size, data-area size, largest packet,
 * how long a packet stays valid, how virtual time maps to CLOCK_MONOTONIC, and the overflow policy.
 *
 * <p>Virtual time (DSI §4.1) counts ticks; tick {@code t} is CLOCK_MONOTONIC {@code epochNs + t * nsPerTick}.
 * Producer and consumer agree on this mapping by reading it from the header, never by configuration.
 * {@link #EPOCH_AT_CREATION} asks {@link StreamDirectory#create} to take "now" as the epoch.
 *
 * <p>Immutable; build one with {@link #builder()}.
 */
public record StreamSpec(int descriptorCount, long dataBytes, int maxPacketBytes, long validityTicks,
                         long epochNs, long nsPerTick, OverflowPolicy policy, StreamMode mode,
                         boolean lockInMemory) {
    /** Largest ring: 2^20 descriptors (64 MiB of control area). */
    public static final int MAX_DESCRIPTORS = 1 << 20;
    /** Largest data area: 2^40 bytes; well inside a long and far above any sensible stream. */
    public static final long MAX_DATA_BYTES = 1L << 40;
    /** {@code epochNs} value meaning "CLOCK_MONOTONIC at the moment the stream file is created". */
    public static final long EPOCH_AT_CREATION = -1;

    /** Validates; the messages name the field, the value and the rule. */
    public StreamSpec {
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(mode, "mode");
        long page = Unistd.pageSize();
        require(descriptorCount >= 2 && descriptorCount <= MAX_DESCRIPTORS && Integer.bitCount(descriptorCount) == 1,
                "descriptorCount " + descriptorCount + " must be a power of two between 2 and " + MAX_DESCRIPTORS
                        + " (slot = position & (count - 1))");
        require(dataBytes > 0 && dataBytes <= MAX_DATA_BYTES && dataBytes % page == 0,
                "dataBytes " + dataBytes + " must be a positive multiple of the page size " + page + ", at most "
                        + MAX_DATA_BYTES + " (the data area is mapped, and reclaimed, in pages)");
        require(maxPacketBytes > 0 && maxPacketBytes <= dataBytes,
                "maxPacketBytes " + maxPacketBytes + " must be positive and at most dataBytes " + dataBytes);
        require(validityTicks > 0, "validityTicks " + validityTicks + " must be positive (use Long.MAX_VALUE for "
                + "'never expires')");
        require(nsPerTick > 0, "nsPerTick " + nsPerTick + " must be positive");
        require(epochNs >= 0 || epochNs == EPOCH_AT_CREATION,
                "epochNs " + epochNs + " must be a CLOCK_MONOTONIC time (>= 0) or EPOCH_AT_CREATION");
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** This spec with the epoch fixed, if it was {@link #EPOCH_AT_CREATION}. */
    public StreamSpec withEpoch(long nowNs) {
        return epochNs != EPOCH_AT_CREATION ? this : new StreamSpec(descriptorCount, dataBytes, maxPacketBytes,
                validityTicks, nowNs, nsPerTick, policy, mode, lockInMemory);
    }

    /** CLOCK_MONOTONIC ns at which virtual time {@code ticks} falls (saturating). */
    public long toMonotonicNs(long ticks) {
        long product;
        try {
            product = Math.multiplyExact(ticks, nsPerTick);
            return Math.addExact(epochNs, product);
        } catch (ArithmeticException overflow) {
            return ticks < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
    }

    /** The virtual time (whole ticks, rounded down) at CLOCK_MONOTONIC {@code monotonicNs}. */
    public long toVirtualTime(long monotonicNs) {
        return Math.floorDiv(monotonicNs - epochNs, nsPerTick);
    }

    /** Fluent builder; {@link #build()} (alias {@link #conclude()}) validates. */
    public static final class Builder {
        private int descriptorCount = 64;
        private long dataBytes = -1;
        private int maxPacketBytes = 4096;
        private long validityTicks = Long.MAX_VALUE;
        private long epochNs = EPOCH_AT_CREATION;
        private long nsPerTick = 1_000_000;
        private OverflowPolicy policy = OverflowPolicy.DROP_OLDEST;
        private StreamMode mode = StreamMode.NON_REAL_TIME;
        private boolean lockInMemory;

        private Builder() {
        }

        public Builder descriptorCount(int count) {
            this.descriptorCount = count;
            return this;
        }

        /** Data-area bytes; by default {@code descriptorCount * maxPacketBytes} rounded up to a page. */
        public Builder dataBytes(long bytes) {
            this.dataBytes = bytes;
            return this;
        }

        public Builder maxPacketBytes(int bytes) {
            this.maxPacketBytes = bytes;
            return this;
        }

        public Builder validityTicks(long ticks) {
            this.validityTicks = ticks;
            return this;
        }

        /** Virtual tick 0 in CLOCK_MONOTONIC ns; by default the stream's creation time. */
        public Builder epochNs(long ns) {
            this.epochNs = ns;
            return this;
        }

        public Builder nsPerTick(long ns) {
            this.nsPerTick = ns;
            return this;
        }

        public Builder policy(OverflowPolicy policy) {
            this.policy = policy;
            return this;
        }

        public Builder mode(StreamMode mode) {
            this.mode = mode;
            return this;
        }

        public Builder lockInMemory(boolean lock) {
            this.lockInMemory = lock;
            return this;
        }

        /** Takes descriptor count and data bytes from a {@link StreamSizing}. */
        public Builder sizing(StreamSizing sizing) {
            this.descriptorCount = sizing.descriptorCount();
            this.dataBytes = sizing.dataBytes();
            this.maxPacketBytes = sizing.maxPacketBytes();
            return this;
        }

        public StreamSpec build() {
            long data = dataBytes;
            if (data < 0) {
                long page = Unistd.pageSize();
                // at least a page, so a bad maxPacketBytes is reported as such and not as an empty data area
                data = Math.max(page, StreamHeaderDescriptor.roundUp(
                        (long) Math.max(descriptorCount, 0) * Math.max(maxPacketBytes, 0), page));
            }
            return new StreamSpec(descriptorCount, data, maxPacketBytes, validityTicks, epochNs, nsPerTick, policy,
                    mode, lockInMemory);
        }

        /** Same as {@link #build()}. */
        public StreamSpec conclude() {
            return build();
        }
    }
}
