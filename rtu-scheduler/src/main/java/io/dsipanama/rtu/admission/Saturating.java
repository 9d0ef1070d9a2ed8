package io.dsipanama.rtu.admission;

import java.math.BigInteger;

/**
 * Non-negative {@code long} nanosecond arithmetic that sticks at {@link #INFINITE} ({@code Long.MAX_VALUE})
 * instead of wrapping, where a wrapped sum would turn negative and pass every comparison. A saturated value
 * means "at least 2^63-1 ns" and the analyses treat it as exceeding every deadline and horizon: horizons are
 * kept strictly below it, and a response time that saturates is a miss even against a deadline of
 * {@code Long.MAX_VALUE} (conservative by at most that one value).
 */
final class Saturating {
    static final long INFINITE = Long.MAX_VALUE;

    private Saturating() {
    }

    static long add(long a, long b) {
        long r = a + b;
        return ((a ^ r) & (b ^ r)) < 0 ? INFINITE : r;
    }

    /** {@code v} when {@code 0 <= v < INFINITE}, else -1. */
    static long below(BigInteger v) {
        return v.signum() >= 0 && v.bitLength() <= 63 && v.longValue() != INFINITE ? v.longValue() : -1;
    }

    static long multiply(long a, long b) {
        return Math.multiplyHigh(a, b) != 0 || a * b < 0 ? INFINITE : a * b;
    }
}
