package io.dsipanama.netio;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * Puts fragmented frames back together in {@link FrameMemory}, and keeps per-stream sequence state so
 * every frame ends up either delivered or reported lost once. Bounded everywhere: at most
 * {@code maxPartialFrames} incomplete frames, their memory within the region, a fixed stream table.
 *
 * <p>Rules (all counted, see {@link NetCounter}): fragments sit on multiples of the frame's stride and are
 * exactly one stride long except the last; a fragment disagreeing with its frame's length, stride or
 * priority is inconsistent; a repeated one a duplicate; a misaligned or over-long one overlapping. A first
 * fragment that finds no room may evict the oldest incomplete frame of a strictly lower priority (reported
 * {@link LossReason#EVICTED}), else it is refused ({@code drop_reassembly_full}): a flood of first
 * fragments that never complete can fill reassembly only until their validity ends, and never pushes out
 * frames of higher priority. An incomplete frame whose validity (its {@code deadline_us}, else the
 * context's timeout, from its first fragment's arrival) ends is reported {@link LossReason#EXPIRED}. The
 * timeout also caps a sender's deadline, so a forged deadline cannot pin reassembly memory.
 *
 * <p>Sequence state: per stream (a direct-mapped table, a colliding stream replaces the entry) the highest
 * sequence resolved (delivered or lost). When frame {@code s} resolves, the frames between the previous
 * highest and {@code s} that are not being reassembled are reported {@link LossReason#SEQUENCE_GAP}; a new
 * frame at or below the highest is stale. A jump of more than {@link #SEQUENCE_WINDOW} either way is taken
 * as a restart of the stream, not as a gap, so one forged sequence cannot silence a stream.
 *
 * <p>Threading: the ring's thread only.
 */
final class Reassembler implements AutoCloseable {
    static final long SEQUENCE_WINDOW = 1L << 16;
    private static final int STREAMS = 1024;

    private final NetCounters counters;
    private final FrameMemory memory;
    private final FrameHandler deliver;
    private final LossListener loss;
    private final int maxFrame;
    private final int minStride;
    private final int maxStride;
    private final long timeoutNs;
    private final int words;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment headers;
    private final FrameHeader header = new FrameHeader();

    private final boolean[] used;
    private final int[] stream;
    private final long[] sequence;
    private final int[] frameLength;
    private final int[] stride;
    private final int[] priority;
    private final long[] arrivalNs;
    private final long[] expiryNs;
    private final int[] expected;
    private final int[] received;
    private final long[] memOffset;
    private final long[] bitmap;
    private final long[] scratch;
    private int active;
    private int last;

    private final boolean[] tracked = new boolean[STREAMS];
    private final int[] trackedStream = new int[STREAMS];
    private final long[] highest = new long[STREAMS];

    Reassembler(NetContext ctx, NetCounters counters, FrameMemory memory, int maxDatagramBytes, FrameHandler deliver,
                LossListener loss) {
        this.counters = counters;
        this.memory = memory;
        this.deliver = deliver;
        this.loss = loss;
        this.maxFrame = FrameHeaderDescriptor.MAX_FRAME_LENGTH;
        this.minStride = ctx.minFragmentStride();
        this.maxStride = maxDatagramBytes - FrameHeaderDescriptor.LENGTH;
        this.timeoutNs = ctx.reassemblyTimeoutNs();
        int slots = ctx.maxPartialFrames();
        this.words = (maxFrame / minStride + 63) / 64;
        this.headers = arena.allocate((long) slots * FrameHeaderDescriptor.LENGTH, 8);
        used = new boolean[slots];
        stream = new int[slots];
        sequence = new long[slots];
        frameLength = new int[slots];
        stride = new int[slots];
        priority = new int[slots];
        arrivalNs = new long[slots];
        expiryNs = new long[slots];
        expected = new int[slots];
        received = new int[slots];
        memOffset = new long[slots];
        bitmap = new long[slots * words];
        scratch = new long[slots];
    }

    /**
     * One fragment of a multi-fragment frame whose offset and length the caller checked to lie inside the
     * frame ({@code offset + len <= frameLength <= 16 MiB}, and not the whole frame).
     */
    void accept(FrameHeader h, MemorySegment src, long srcOffset, int len, long nowNs) {
        int frameLen = h.frameLength();
        int offset = h.fragmentOffset();
        int st = h.fragmentStride();
        if (st < minStride || st > maxStride) {
            counters.increment(NetCounter.DROP_BAD_FIELD);
            return;
        }
        if (offset % st != 0 || len > st) {
            counters.increment(NetCounter.DROP_OVERLAPPING_FRAGMENT);
            return;
        }
        if (len < Math.min(st, frameLen - offset)) {
            counters.increment(NetCounter.DROP_BAD_LENGTH);
            return;
        }
        int s = h.streamId();
        long seq = h.sequence();
        int i = find(s, seq);
        if (i < 0) {
            if (isStale(s, seq)) {
                counters.increment(NetCounter.DROP_STALE);
                return;
            }
            i = open(h, nowNs);
            if (i < 0) {
                return;
            }
        } else if (frameLength[i] != frameLen || stride[i] != st || priority[i] != h.priority()) {
            counters.increment(NetCounter.DROP_INCONSISTENT_FRAGMENT);
            return;
        }
        int fragment = offset / st;
        int word = i * words + (fragment >>> 6);
        long bit = 1L << fragment;
        if ((bitmap[word] & bit) != 0) {
            counters.increment(NetCounter.DROP_DUPLICATE_FRAGMENT);
            return;
        }
        MemorySegment.copy(src, srcOffset, memory.region(), memOffset[i] + offset, len);
        bitmap[word] |= bit;
        if (++received[i] == expected[i]) {
            complete(i);
        }
    }

    private int find(int s, long seq) {
        if (used[last] && stream[last] == s && sequence[last] == seq) {
            return last;
        }
        for (int i = 0; i < used.length; i++) {
            if (used[i] && stream[i] == s && sequence[i] == seq) {
                last = i;
                return i;
            }
        }
        return -1;
    }

    private int open(FrameHeader h, long nowNs) {
        int frameLen = h.frameLength();
        int st = h.fragmentStride();
        int count = (frameLen + st - 1) / st;
        int prio = h.priority();
        for (;;) {
            int i = freeSlot();
            if (i >= 0) {
                long mem = memory.allocate(frameLen);
                if (mem >= 0) {
                    used[i] = true;
                    active++;
                    stream[i] = h.streamId();
                    sequence[i] = h.sequence();
                    frameLength[i] = frameLen;
                    stride[i] = st;
                    priority[i] = prio;
                    arrivalNs[i] = nowNs;
                    // the sender's deadline, but never longer than the timeout: a forged deadline cannot pin memory
                    long validNs = h.deadlineUs() != 0
                            ? Math.min(Integer.toUnsignedLong(h.deadlineUs()) * 1000L, timeoutNs) : timeoutNs;
                    expiryNs[i] = nowNs + validNs;
                    expected[i] = count;
                    received[i] = 0;
                    memOffset[i] = mem;
                    Arrays.fill(bitmap, i * words, i * words + (count + 63) / 64, 0L);
                    header.wrap(headers, (long) i * FrameHeaderDescriptor.LENGTH).copyFrom(h);
                    header.fragmentOffset(0);
                    last = i;
                    return i;
                }
            }
            int victim = victim(prio);
            if (victim < 0) {
                counters.increment(NetCounter.DROP_REASSEMBLY_FULL);
                return -1;
            }
            lose(victim, LossReason.EVICTED);
        }
    }

    private int freeSlot() {
        for (int i = 0; i < used.length; i++) {
            if (!used[i]) {
                return i;
            }
        }
        return -1;
    }

    /** The incomplete frame to give up for a new one of priority {@code prio}: lowest priority, then oldest. */
    private int victim(int prio) {
        int v = -1;
        for (int i = 0; i < used.length; i++) {
            if (used[i] && priority[i] < prio
                    && (v < 0 || priority[i] < priority[v] || (priority[i] == priority[v] && arrivalNs[i] - arrivalNs[v] < 0))) {
                v = i;
            }
        }
        return v;
    }

    private void complete(int i) {
        resolved(stream[i], sequence[i]);
        header.wrap(headers, (long) i * FrameHeaderDescriptor.LENGTH);
        try {
            deliver.onFrame(header, memory.region(), memOffset[i], frameLength[i]);
        } finally {
            free(i);
        }
    }

    private void lose(int i, LossReason reason) {
        int s = stream[i];
        long seq = sequence[i];
        free(i);
        counters.increment(reason.counter());
        loss.onLost(s, seq, 1, reason);
        resolved(s, seq);
    }

    private void free(int i) {
        memory.free(memOffset[i]);
        used[i] = false;
        active--;
    }

    /** Reports every incomplete frame whose validity has ended; returns how many. */
    int expire(long nowNs) {
        if (active == 0) {
            return 0;
        }
        int n = 0;
        for (int i = 0; i < used.length; i++) {
            if (used[i] && nowNs - expiryNs[i] >= 0) {
                lose(i, LossReason.EXPIRED);
                n++;
            }
        }
        return n;
    }

    /** Whether a new frame {@code seq} of stream {@code s} was already delivered or reported lost. */
    boolean isStale(int s, long seq) {
        int t = s & (STREAMS - 1);
        if (!tracked[t] || trackedStream[t] != s) {
            return false;
        }
        long behind = highest[t] - seq;
        return behind >= 0 && behind <= SEQUENCE_WINDOW;
    }

    /** Frame {@code seq} of stream {@code s} was delivered or reported lost: advance, reporting gaps. */
    void resolved(int s, long seq) {
        int t = s & (STREAMS - 1);
        if (!tracked[t] || trackedStream[t] != s) {
            if (tracked[t]) {
                counters.increment(NetCounter.STREAM_STATE_EVICTED);
            }
            tracked[t] = true;
            trackedStream[t] = s;
            highest[t] = seq;
            return;
        }
        long ahead = seq - highest[t];
        if (ahead > 1 && ahead <= SEQUENCE_WINDOW) {
            reportGap(s, highest[t] + 1, seq - 1);
        }
        if (ahead > 0 || -ahead > SEQUENCE_WINDOW) {
            highest[t] = seq;
        }
    }

    /** Reports {@code from..to} lost, except the frames of that stream still being reassembled. */
    private void reportGap(int s, long from, long to) {
        int n = 0;
        for (int i = 0; i < used.length; i++) {
            if (used[i] && stream[i] == s && sequence[i] - from >= 0 && to - sequence[i] >= 0) {
                scratch[n++] = sequence[i];
            }
        }
        Arrays.sort(scratch, 0, n);
        long next = from;
        for (int k = 0; k <= n; k++) {
            long end = k < n ? scratch[k] - 1 : to;
            if (end - next >= 0) {
                long count = end - next + 1;
                counters.add(NetCounter.LOST_SEQUENCE_GAP, count);
                loss.onLost(s, next, count, LossReason.SEQUENCE_GAP);
            }
            if (k < n) {
                next = scratch[k] + 1;
            }
        }
    }

    int active() {
        return active;
    }

    long memoryUsed() {
        return memory.used();
    }

    @Override
    public void close() {
        arena.close();
    }
}
