package io.dsipanama.stream;

/**
 * Size of a pipeline's shared data area: {@code blockCount} blocks of {@code blockBytes} (a page multiple,
 * so a reclaim punches exactly one block's pages). Every packet of a chained stream occupies one block.
 *
 * <p>Sizing rule ({@link #forStreams}): a block is referenced by the stream slots that name it (published and
 * not yet final) and by at most one claim per producer. A stream never has more than its descriptor count of
 * slots that are not final, so {@code sum(descriptor counts) + producers} blocks can never run out while
 * every holder is alive; more only absorbs what dead holders leave until a sweep.
 */
public record ChainSpec(int blockBytes, int blockCount) {
    public static final int MAX_BLOCKS = 1 << 20;

    public ChainSpec {
        if (blockBytes <= 0 || blockBytes % 4096 != 0) {
            throw new IllegalArgumentException("block_bytes " + blockBytes + " is not a positive multiple of 4096");
        }
        if (blockCount < 1 || blockCount > MAX_BLOCKS) {
            throw new IllegalArgumentException("block_count " + blockCount + " outside 1.." + MAX_BLOCKS);
        }
        if ((long) blockBytes * blockCount > StreamSpec.MAX_DATA_BYTES) {
            throw new IllegalArgumentException("data area of " + blockCount + " x " + blockBytes + " bytes is too large");
        }
    }

    /** Blocks for streams with these descriptor counts, plus one claim per stream and as many spares. */
    public static ChainSpec forStreams(int blockBytes, int... descriptorCounts) {
        long sum = 0;
        for (int c : descriptorCounts) {
            sum += c + 2L;
        }
        return new ChainSpec(blockBytes, Math.toIntExact(sum));
    }

    public long dataBytes() {
        return (long) blockBytes * blockCount;
    }
}
