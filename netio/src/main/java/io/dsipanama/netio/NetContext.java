package io.dsipanama.netio;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;

/**
 * Configuration of a {@link RingOwner} and the senders and receivers it drives: fluent setters, then
 * {@link #conclude()} validates and freezes. Defaults and their system properties sit side by side below;
 * the table is in netio/README.md.
 */
public final class NetContext {
    public static final int DEFAULT_RING_ENTRIES = Integer.getInteger("dsi.netio.ringEntries", 256);
    /** UDP payload per datagram, header included: an Ethernet MTU of 1500 less IPv4 and UDP headers. */
    public static final int DEFAULT_DATAGRAM_BYTES = Integer.getInteger("dsi.netio.datagramBytes", 1472);
    public static final int DEFAULT_ZC_THRESHOLD_BYTES = Integer.getInteger("dsi.netio.zcThresholdBytes", 64 << 10);
    public static final int DEFAULT_SEND_SLOTS = Integer.getInteger("dsi.netio.sendSlots", 128);
    public static final int DEFAULT_SEND_QUEUE_FRAMES = Integer.getInteger("dsi.netio.sendQueueFrames", 64);
    public static final int DEFAULT_RX_BUFFERS = Integer.getInteger("dsi.netio.rxBuffers", 512);
    public static final long DEFAULT_REASSEMBLY_BYTES = Long.getLong("dsi.netio.reassemblyBytes", 40L << 20);
    public static final int DEFAULT_MAX_PARTIAL_FRAMES = Integer.getInteger("dsi.netio.maxPartialFrames", 64);
    public static final long DEFAULT_REASSEMBLY_TIMEOUT_NS = Long.getLong("dsi.netio.reassemblyTimeoutNs", 500_000_000L);
    public static final int DEFAULT_DISPATCH_BUDGET = Integer.getInteger("dsi.netio.dispatchBudget", 256);
    public static final int DEFAULT_MIN_FRAGMENT_STRIDE = 256;
    public static final int DEFAULT_SOCKET_BUFFER_BYTES = Integer.getInteger("dsi.netio.socketBufferBytes", 4 << 20);
    /** DSCP per priority class 0..7: CS1 (scavenger), CS0, AF11, AF21, AF31, AF41, EF, CS6. */
    static final int[] DEFAULT_DSCP = {8, 0, 10, 18, 26, 34, 46, 48};

    /** Kernel features a context can refuse to use, to exercise the fallbacks (see {@link NetFeatures}). */
    public enum Feature { DEFER_TASKRUN, SINGLE_ISSUER, SQPOLL, SENDMSG_ZC, MULTISHOT, BUF_RING, GSO, FUTEX_WAIT }

    private boolean concluded;
    private int ringEntries = DEFAULT_RING_ENTRIES;
    private boolean sqpoll;
    private int sqpollIdleMs = 10;
    private int datagramBytes = DEFAULT_DATAGRAM_BYTES;
    private int zcThresholdBytes = DEFAULT_ZC_THRESHOLD_BYTES;
    private int sendSlots = DEFAULT_SEND_SLOTS;
    private int sendQueueFrames = DEFAULT_SEND_QUEUE_FRAMES;
    private int rxBuffers = DEFAULT_RX_BUFFERS;
    private long reassemblyBytes = DEFAULT_REASSEMBLY_BYTES;
    private int maxPartialFrames = DEFAULT_MAX_PARTIAL_FRAMES;
    private long reassemblyTimeoutNs = DEFAULT_REASSEMBLY_TIMEOUT_NS;
    private int dispatchBudget = DEFAULT_DISPATCH_BUDGET;
    private int socketBufferBytes = DEFAULT_SOCKET_BUFFER_BYTES;
    private final int[] dscp = DEFAULT_DSCP.clone();
    private final Set<Feature> disabled = EnumSet.noneOf(Feature.class);

    public NetContext ringEntries(int entries) {
        check();
        this.ringEntries = entries;
        return this;
    }

    /** Asks for a kernel submission thread (IORING_SETUP_SQPOLL); off by default (it spins a core). */
    public NetContext sqpoll(boolean on, int idleMs) {
        check();
        this.sqpoll = on;
        this.sqpollIdleMs = idleMs;
        return this;
    }

    /** UDP payload bytes per datagram, wire header included (the path MTU less IP and UDP headers). */
    public NetContext datagramBytes(int bytes) {
        check();
        this.datagramBytes = bytes;
        return this;
    }

    /** Frames of at least this many bytes go out with SENDMSG_ZC; {@code Integer.MAX_VALUE}: never. */
    public NetContext zcThresholdBytes(int bytes) {
        check();
        this.zcThresholdBytes = bytes;
        return this;
    }

    /** Submissions a sender may have in flight (each up to 64 GSO datagrams). */
    public NetContext sendSlots(int slots) {
        check();
        this.sendSlots = slots;
        return this;
    }

    public NetContext sendQueueFrames(int frames) {
        check();
        this.sendQueueFrames = frames;
        return this;
    }

    /** Receive buffers per receiver (a power of two): provided-ring entries or posted receives. */
    public NetContext rxBuffers(int buffers) {
        check();
        this.rxBuffers = buffers;
        return this;
    }

    /** Bound on the memory holding incomplete frames, per receiver. */
    public NetContext reassemblyBytes(long bytes) {
        check();
        this.reassemblyBytes = bytes;
        return this;
    }

    public NetContext maxPartialFrames(int frames) {
        check();
        this.maxPartialFrames = frames;
        return this;
    }

    /** Validity of an incomplete frame whose header gives no deadline, and the cap on one that does. */
    public NetContext reassemblyTimeoutNs(long ns) {
        check();
        this.reassemblyTimeoutNs = ns;
        return this;
    }

    /** Datagrams handed to handlers per {@code doWork}, highest priority first. */
    public NetContext dispatchBudget(int datagrams) {
        check();
        this.dispatchBudget = datagrams;
        return this;
    }

    /** SO_RCVBUF / SO_SNDBUF asked for (the FORCE variants when privileged). */
    public NetContext socketBufferBytes(int bytes) {
        check();
        this.socketBufferBytes = bytes;
        return this;
    }

    public NetContext dscp(int priority, int dscpValue) {
        check();
        if (priority < 0 || priority > FrameHeaderDescriptor.MAX_PRIORITY || dscpValue < 0 || dscpValue > 63) {
            throw new IllegalArgumentException("priority " + priority + ", dscp " + dscpValue);
        }
        dscp[priority] = dscpValue;
        return this;
    }

    /** Refuses a kernel feature even where it is available, so its fallback runs (reported as such). */
    public NetContext disable(Feature feature) {
        check();
        disabled.add(feature);
        return this;
    }

    /** Validates and freezes; returns this. */
    public NetContext conclude() {
        if (concluded) {
            return this;
        }
        int minDatagram = FrameHeaderDescriptor.LENGTH + DEFAULT_MIN_FRAGMENT_STRIDE;
        require(ringEntries >= 8 && ringEntries <= 4096, "ringEntries in 8..4096: " + ringEntries);
        require(datagramBytes >= minDatagram && datagramBytes <= 65507,
                "datagramBytes in " + minDatagram + "..65507: " + datagramBytes);
        require(zcThresholdBytes >= 0, "zcThresholdBytes >= 0");
        require(sendSlots >= 1 && sendSlots <= 4096, "sendSlots in 1..4096: " + sendSlots);
        require(sendQueueFrames >= 1, "sendQueueFrames >= 1");
        require(rxBuffers >= 8 && rxBuffers <= 32768 && Integer.bitCount(rxBuffers) == 1,
                "rxBuffers a power of two in 8..32768: " + rxBuffers);
        require(reassemblyBytes >= 0, "reassemblyBytes >= 0");
        require(maxPartialFrames >= 1 && maxPartialFrames <= 1024, "maxPartialFrames in 1..1024");
        require(reassemblyTimeoutNs > 0, "reassemblyTimeoutNs > 0");
        require(dispatchBudget >= 1, "dispatchBudget >= 1");
        require(socketBufferBytes >= 4096, "socketBufferBytes >= 4096");
        require(sqpollIdleMs >= 0, "sqpollIdleMs >= 0");
        concluded = true;
        return this;
    }

    private static void require(boolean ok, String what) {
        if (!ok) {
            throw new IllegalArgumentException(what);
        }
    }

    private void check() {
        if (concluded) {
            throw new IllegalStateException("context already concluded");
        }
    }

    public int ringEntries() {
        return ringEntries;
    }

    public boolean sqpoll() {
        return sqpoll;
    }

    public int sqpollIdleMs() {
        return sqpollIdleMs;
    }

    public int datagramBytes() {
        return datagramBytes;
    }

    /** Payload bytes per fragment: {@link #datagramBytes()} less the wire header. */
    public int fragmentStride() {
        return datagramBytes - FrameHeaderDescriptor.LENGTH;
    }

    public int zcThresholdBytes() {
        return zcThresholdBytes;
    }

    public int sendSlots() {
        return sendSlots;
    }

    public int sendQueueFrames() {
        return sendQueueFrames;
    }

    public int rxBuffers() {
        return rxBuffers;
    }

    public long reassemblyBytes() {
        return reassemblyBytes;
    }

    public int maxPartialFrames() {
        return maxPartialFrames;
    }

    public long reassemblyTimeoutNs() {
        return reassemblyTimeoutNs;
    }

    public int dispatchBudget() {
        return dispatchBudget;
    }

    public int minFragmentStride() {
        return DEFAULT_MIN_FRAGMENT_STRIDE;
    }

    public int socketBufferBytes() {
        return socketBufferBytes;
    }

    public int dscp(int priority) {
        return dscp[priority];
    }

    public boolean isDisabled(Feature feature) {
        return disabled.contains(feature);
    }

    @Override
    public String toString() {
        return "NetContext[ringEntries=" + ringEntries + ", sqpoll=" + sqpoll + ", datagramBytes=" + datagramBytes
                + ", zcThresholdBytes=" + zcThresholdBytes + ", sendSlots=" + sendSlots + ", rxBuffers=" + rxBuffers
                + ", reassemblyBytes=" + reassemblyBytes + ", maxPartialFrames=" + maxPartialFrames
                + ", dscp=" + Arrays.toString(dscp) + ", disabled=" + disabled + "]";
    }
}
