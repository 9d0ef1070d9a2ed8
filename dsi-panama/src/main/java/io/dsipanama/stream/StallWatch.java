package io.dsipanama.stream;

import static io.dsipanama.stream.PacketDescriptorDescriptor.publishedSequence;

/**
 * The consumer's judge of "nothing to do at position p": legitimate (the producer has not published p yet)
 * or impossible (the shared words contradict each other, so one was scribbled on). Impossible is:
 * <ul>
 * <li>p's slot sequence below {@code 2p+2} although {@code producer_position} is past p (the producer stores
 * its position only after closing the slot);
 * <li>the consumer more than one position ahead of {@code producer_position}, or beyond
 * {@link #MAX_POSITION} (a garbage cursor, or a jump to a garbage free position): it moves back;
 * <li>p's slot holding a later position while the drop record does not explain it: {@code free_position} not
 * past p, beyond {@code producer_position}, or the drop record's seqlock stuck odd.
 * </ul>
 * A verdict needs the same observation at the same position on two consecutive looks, so a race (a
 * producer preempted between two stores) is never reported: the caller looks at most every 1024 empty
 * polls or once per wait slice, far longer than any window between two of the producer's stores.
 *
 * <p><b>Threading.</b> The consumer's thread only.
 */
final class StallWatch {
    /**
     * No real stream reaches this position (2^61 packets: 73 years at 1 GHz); beyond it {@code 2p+2} could
     * overflow, so a cursor there is garbage.
     */
    static final long MAX_POSITION = 1L << 61;

    private long position = -1;
    private int kind;
    private boolean movesBack;

    /**
     * Judges position {@code p} with slot sequence {@code sequence}, {@code producer_position}
     * {@code published} and the drop record's free position {@code free} (-1: unreadable). Returns null
     * (legitimate, or first sighting) or what is wrong.
     */
    String judge(long p, long sequence, long published, long free) {
        long expected = publishedSequence(p);
        int k;
        String what;
        boolean back = false;
        if (p < 0 || p >= MAX_POSITION || (published >= 0 && p - published > 1)) {
            k = 2;
            back = true;
            what = "the consumer's position is ahead of producer_position " + published;
        } else if (sequence == expected) {
            k = 0;
            what = null;
        } else if (sequence < expected && published > p) {
            k = 1;
            what = "slot " + SharedChecks.describeSequence(sequence) + " is below " + expected
                    + " although producer_position " + published + " is past it";
        } else if (sequence < expected) {
            k = 0;
            what = null; // not published yet
        } else if (free < 0) {
            k = 3;
            what = "slot " + SharedChecks.describeSequence(sequence) + " is ahead but the drop record's "
                    + "drop_record_sequence stays odd";
        } else if (free <= p) {
            k = 4;
            what = "slot " + SharedChecks.describeSequence(sequence) + " is ahead but free_position " + free
                    + " does not pass it";
        } else if (free > published) {
            k = 5;
            what = "slot " + SharedChecks.describeSequence(sequence) + " is ahead but free_position " + free
                    + " is beyond producer_position " + published;
        } else {
            k = 0;
            what = null; // the drop record explains it: catch-up will work on the next poll
        }
        boolean repeated = k != 0 && k == kind && p == position;
        position = p;
        kind = k;
        movesBack = back;
        if (!repeated) {
            return null;
        }
        kind = 0; // the caller acts on it: start over
        return what;
    }

    /** True if the last verdict is resolved by moving back to the producer's position, not stepping over p. */
    boolean movesBack() {
        return movesBack;
    }
}
