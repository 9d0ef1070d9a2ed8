package io.dsipanama.rtu.admission;

import java.math.BigDecimal;
import java.math.BigInteger;

/**
 * Nanosecond durations as people write them: {@code 250000}, {@code 250us}, {@code 2ms}, {@code 1.5ms},
 * {@code 1s}. Parsing is exact: a decimal that does not come to a whole number of nanoseconds is refused
 * rather than rounded.
 */
public final class Durations {
    private static final String[] UNITS = {"s", "ms", "us", "ns"};
    private static final long[] NANOS = {1_000_000_000L, 1_000_000L, 1_000L, 1L};

    private Durations() {
    }

    /**
     * A duration in nanoseconds: a decimal number followed by {@code ns}, {@code us}, {@code ms} or
     * {@code s}; without a unit it is nanoseconds.
     *
     * @throws IllegalArgumentException naming the text when it is not a duration, is negative, has a
     *                                  fraction of a nanosecond or does not fit in a {@code long}
     */
    public static long parseNs(String text) {
        String number = text;
        long unitNs = 1;
        // "s" last: "ns", "us" and "ms" end in it too.
        for (int i = UNITS.length - 1; i >= 0; i--) {
            if (text.endsWith(UNITS[i])) {
                number = text.substring(0, text.length() - UNITS[i].length());
                unitNs = NANOS[i];
                break;
            }
        }
        BigDecimal value;
        try {
            value = new BigDecimal(number);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is not a duration (a number with ns, us, ms or s)");
        }
        if (value.signum() < 0) {
            throw new IllegalArgumentException("'" + text + "' is negative");
        }
        BigDecimal ns = value.multiply(BigDecimal.valueOf(unitNs));
        BigInteger whole;
        try {
            whole = ns.toBigIntegerExact();
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("'" + text + "' is not a whole number of nanoseconds");
        }
        if (whole.bitLength() > 63) {
            throw new IllegalArgumentException("'" + text + "' does not fit in 2^63-1 ns");
        }
        return whole.longValueExact();
    }

    /** {@code ns} in the largest unit not above it, exactly: {@code 2ms}, {@code 1.5ms}, {@code 999ns}. */
    public static String format(long ns) {
        for (int i = 0; i < UNITS.length; i++) {
            if (Math.abs(ns) >= NANOS[i] || i == UNITS.length - 1) {
                BigDecimal v = BigDecimal.valueOf(ns).divide(BigDecimal.valueOf(NANOS[i])).stripTrailingZeros();
                return v.toPlainString() + UNITS[i];
            }
        }
        throw new AssertionError("unreachable");
    }
}
