package io.dsipanama.netio.tcp;

/**
 * Application-side pacing: a token bucket of {@code burstBytes} refilled at {@code bytesPerSecond}. A sender
 * may hand the kernel as many bytes as the bucket holds; when it is empty the ring thread sleeps in
 * {@code io_uring_enter} for {@link #nanosUntil} (a ring timeout), so pacing costs no spinning.
 *
 * <p>The long-run rate is exactly {@code bytesPerSecond}: tokens are computed from the time elapsed since the
 * bucket started (no accumulated rounding), and a bucket left idle saturates at {@code burstBytes}, so a pause
 * never buys more than one burst. Times are CLOCK_MONOTONIC nanoseconds ({@code System.nanoTime()}).
 *
 * <p>Threading: one thread (the ring owner's).
 */
public final class TokenBucket {
    private static final long NS_PER_S = 1_000_000_000L;

    private final long bytesPerSecond;
    private final long burstBytes;
    private long tokens;
    private long lastNs;
    private long remainderNsBytes; // bytes * ns not yet turned into whole tokens (keeps the rate exact)
    private boolean started;

    /** Paces to {@code bytesPerSecond} with bursts of at most {@code burstBytes}. */
    public TokenBucket(long bytesPerSecond, long burstBytes) {
        if (bytesPerSecond <= 0 || burstBytes <= 0) {
            throw new IllegalArgumentException("rate and burst must be positive: " + bytesPerSecond + ", " + burstBytes);
        }
        this.bytesPerSecond = bytesPerSecond;
        this.burstBytes = burstBytes;
    }

    /** A bucket for {@code bytesPerSecond} whose burst is what that rate sends in {@code burstNs} (at least 16 KiB). */
    public static TokenBucket ofRate(long bytesPerSecond, long burstNs) {
        double burst = (double) bytesPerSecond * burstNs / NS_PER_S;
        return new TokenBucket(bytesPerSecond, (long) Math.max(16 * 1024, Math.min(burst, 1L << 40)));
    }

    /** The bytes that may be sent now (refilling first). The first call starts the bucket full. */
    public long available(long nowNs) {
        if (!started) {
            started = true;
            lastNs = nowNs;
            tokens = burstBytes;
            return tokens;
        }
        long elapsedNs = nowNs - lastNs;
        if (elapsedNs > 0) {
            lastNs = nowNs;
            if (tokens < burstBytes) {
                // elapsed * rate may overflow only after ~100 s idle at 100 GB/s; the burst cap makes it moot
                long scaled = Math.min(elapsedNs, NS_PER_S) * bytesPerSecond + remainderNsBytes;
                long add = scaled / NS_PER_S;
                remainderNsBytes = scaled % NS_PER_S;
                tokens = Math.min(burstBytes, tokens + add);
                if (tokens == burstBytes) {
                    remainderNsBytes = 0;
                }
            }
        }
        return tokens;
    }

    /** Spends {@code bytes} (at most {@link #available}). */
    public void take(long bytes) {
        if (bytes > tokens) {
            throw new IllegalArgumentException("taking " + bytes + " of " + tokens + " tokens");
        }
        tokens -= bytes;
    }

    /** Nanoseconds until {@code bytes} (capped at the burst) are available; 0 if they are now. */
    public long nanosUntil(long bytes, long nowNs) {
        long want = Math.min(bytes, burstBytes);
        long have = available(nowNs);
        if (have >= want) {
            return 0;
        }
        long missingNsBytes = (want - have) * NS_PER_S - remainderNsBytes;
        return Math.max(1, (missingNsBytes + bytesPerSecond - 1) / bytesPerSecond);
    }

    public long bytesPerSecond() {
        return bytesPerSecond;
    }

    public long burstBytes() {
        return burstBytes;
    }
}
