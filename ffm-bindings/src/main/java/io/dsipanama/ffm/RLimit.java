package io.dsipanama.ffm;

/**
 * A resource limit pair as getrlimit(2) reports it: the soft limit the kernel enforces ({@code cur}) and
 * the ceiling an unprivileged process may raise it to ({@code max}). Each is a count in the resource's
 * unit (bytes for {@code RLIMIT_MEMLOCK}, a priority for {@code RLIMIT_RTPRIO}, microseconds for
 * {@code RLIMIT_RTTIME}) or {@link Resource#RLIM_INFINITY}.
 */
public record RLimit(long cur, long max) {

    public boolean curUnlimited() {
        return cur == Resource.RLIM_INFINITY;
    }

    public boolean maxUnlimited() {
        return max == Resource.RLIM_INFINITY;
    }

    /** A copy with the soft limit {@code cur}. */
    public RLimit withCur(long cur) {
        return new RLimit(cur, max);
    }

    /** {@code 8388608/unlimited}: soft/hard. */
    @Override
    public String toString() {
        return format(cur) + "/" + format(max);
    }

    private static String format(long value) {
        return value == Resource.RLIM_INFINITY ? "unlimited" : Long.toUnsignedString(value);
    }
}
