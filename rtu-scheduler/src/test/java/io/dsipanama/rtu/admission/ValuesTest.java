package io.dsipanama.rtu.admission;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The value types: rationals, durations, saturating arithmetic. */
class ValuesTest {
    @Test
    void rationalsAreReducedAndComparedExactly() {
        assertEquals(Rational.of(1, 2), Rational.of(2, 4));
        assertEquals(Rational.of(-1, 2), Rational.of(1, -2));
        assertEquals("34/35", Rational.of(2, 5).add(Rational.of(4, 7)).toString());
        assertEquals(Rational.ONE, Rational.of(1, 3).add(Rational.of(2, 3)));
        assertEquals(BigInteger.valueOf(3), Rational.of(5, 2).ceil());
        assertEquals(BigInteger.TWO, Rational.of(2).ceil());
        BigInteger big = BigInteger.ONE.shiftLeft(124);
        assertTrue(Rational.of(big, big.subtract(BigInteger.ONE)).compareTo(Rational.ONE) > 0);
        assertThrows(ArithmeticException.class, () -> Rational.of(1, 0));
    }

    @Test
    void durationsParseExactly() {
        assertEquals(250_000, Durations.parseNs("250000"));
        assertEquals(250_000, Durations.parseNs("250us"));
        assertEquals(2_000_000, Durations.parseNs("2ms"));
        assertEquals(1_500_000, Durations.parseNs("1.5ms"));
        assertEquals(1_000_000_000, Durations.parseNs("1s"));
        assertEquals(7, Durations.parseNs("7ns"));
        assertEquals(1_500, Durations.parseNs("1.5us"));
        assertEquals("'1.5ns' is not a whole number of nanoseconds",
                assertThrows(IllegalArgumentException.class, () -> Durations.parseNs("1.5ns")).getMessage());
        assertEquals("'2 ms' is not a duration (a number with ns, us, ms or s)",
                assertThrows(IllegalArgumentException.class, () -> Durations.parseNs("2 ms")).getMessage());
        assertEquals("'-1ms' is negative",
                assertThrows(IllegalArgumentException.class, () -> Durations.parseNs("-1ms")).getMessage());
        assertEquals("'10000000000s' does not fit in 2^63-1 ns",
                assertThrows(IllegalArgumentException.class, () -> Durations.parseNs("10000000000s")).getMessage());
        assertThrows(IllegalArgumentException.class, () -> Durations.parseNs("ms"));
    }

    @Test
    void durationsFormatInTheLargestUnit() {
        assertEquals("2ms", Durations.format(2_000_000));
        assertEquals("1.5ms", Durations.format(1_500_000));
        assertEquals("999ns", Durations.format(999));
        assertEquals("1.000000001s", Durations.format(1_000_000_001));
        assertEquals("0ns", Durations.format(0));
    }

    @Test
    void saturatingArithmeticNeverWraps() {
        assertEquals(Long.MAX_VALUE, Saturating.add(Long.MAX_VALUE - 1, 2));
        assertEquals(Long.MAX_VALUE, Saturating.multiply(1L << 32, 1L << 31));
        assertEquals(1L << 62, Saturating.multiply(1L << 31, 1L << 31));
        assertEquals(-1, Saturating.below(BigInteger.valueOf(Long.MAX_VALUE)));
        assertEquals(Long.MAX_VALUE - 1, Saturating.below(BigInteger.valueOf(Long.MAX_VALUE - 1)));
    }

    /**
     * Three tasks of cost 2^62 and period 2^63 - 1: the second task's response is 2^63, one more than fits.
     * Saturated, it must count as a miss even though the deadline is Long.MAX_VALUE itself.
     */
    @Test
    void overflowingResponseTimesAreMisses() {
        List<Task> set = List.of(Task.of(1L << 62, Long.MAX_VALUE), Task.of(1L << 62, Long.MAX_VALUE),
                Task.of(1L << 62, Long.MAX_VALUE));
        CpuVerdict v = Admission.analyse(Policy.RM_EXACT, set);
        assertEquals(List.of(1L << 62, Long.MAX_VALUE, Long.MAX_VALUE),
                v.tasks().stream().map(TaskVerdict::responseNs).toList());
        assertTrue(!v.schedulable());
        CpuVerdict two = Admission.analyse(Policy.RM_EXACT, set.subList(0, 2).stream()
                .map(t -> Task.of(t.costNs() - 1, t.periodNs())).toList());
        assertTrue(two.schedulable(), two.reason()); // R2 = 2^63 - 2 <= D
    }
}
