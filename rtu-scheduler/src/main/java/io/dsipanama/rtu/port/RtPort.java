package io.dsipanama.rtu.port;

import io.dsipanama.rtu.OverrunPolicy;
import io.dsipanama.rtu.Reserve;
import io.dsipanama.stream.StreamDirectory;

import java.util.Objects;

/**
 * A named end point with a handler (Coulson and Blair's rtport): a {@link Kind#SOURCE} that fills buffers
 * at the connection's rate, a {@link Kind#STAGE} that works on them in place, or a {@link Kind#SINK} that
 * uses them; or a {@linkplain #remote remote} port, the name of a port that another process connects. Each
 * local port runs on a reserve of its own (named after it, so the registry's counters and the metrics
 * file's histograms are per port), with {@code cpuBudgetNs} per buffer.
 *
 * <p>A port belongs to at most one connection at a time.
 *
 * <p><b>Threading.</b> Immutable but for the connection it is bound to, which {@link RtPorts} sets.
 */
public final class RtPort {
    /** What a local port does with buffers. */
    public enum Kind { SOURCE, STAGE, SINK, REMOTE }

    private final String name;
    private final Kind kind;
    private final RtHandler handler;
    private final long cpuBudgetNs;
    private final int maxBufferBytes;
    private final OverrunPolicy overrun;
    private final PortMetrics metrics = new PortMetrics();
    private volatile Reserve reserve;
    private volatile Connection connection;

    private RtPort(String name, Kind kind, RtHandler handler, long cpuBudgetNs, int maxBufferBytes, OverrunPolicy overrun) {
        StreamDirectory.validateName(name); // a port's name may become part of a stream's name
        if (kind != Kind.REMOTE) {
            Objects.requireNonNull(handler, "handler");
            if (cpuBudgetNs <= 0) {
                throw new IllegalArgumentException("port '" + name + "': cpuBudgetNs must be > 0: " + cpuBudgetNs);
            }
        }
        if (kind == Kind.SOURCE && maxBufferBytes <= 0) {
            throw new IllegalArgumentException("source '" + name + "': maxBufferBytes must be > 0: " + maxBufferBytes);
        }
        this.name = name;
        this.kind = kind;
        this.handler = handler;
        this.cpuBudgetNs = cpuBudgetNs;
        this.maxBufferBytes = maxBufferBytes;
        this.overrun = Objects.requireNonNull(overrun, "overrun");
    }

    /** A source: {@code handler} fills buffers of up to {@code maxBufferBytes}, using at most {@code cpuBudgetNs} each. */
    public static RtPort source(String name, int maxBufferBytes, long cpuBudgetNs, RtHandler handler) {
        return new RtPort(name, Kind.SOURCE, handler, cpuBudgetNs, maxBufferBytes, OverrunPolicy.DEMOTE);
    }

    /** An intermediate stage of a pipeline: {@code handler} works on each buffer in place. */
    public static RtPort stage(String name, long cpuBudgetNs, RtHandler handler) {
        return new RtPort(name, Kind.STAGE, handler, cpuBudgetNs, 0, OverrunPolicy.DEMOTE);
    }

    /** A sink: {@code handler} uses each buffer. */
    public static RtPort sink(String name, long cpuBudgetNs, RtHandler handler) {
        return new RtPort(name, Kind.SINK, handler, cpuBudgetNs, 0, OverrunPolicy.DEMOTE);
    }

    /** The port {@code name} of another process, which connects its side with the same names and QoS. */
    public static RtPort remote(String name) {
        return new RtPort(name, Kind.REMOTE, null, 0, 0, OverrunPolicy.DEMOTE);
    }

    /** The same port with another overrun policy for its reserve (default {@link OverrunPolicy#DEMOTE}). */
    public RtPort withOverrun(OverrunPolicy policy) {
        return new RtPort(name, kind, handler, cpuBudgetNs, maxBufferBytes, policy);
    }

    public String name() {
        return name;
    }

    public Kind kind() {
        return kind;
    }

    public boolean isRemote() {
        return kind == Kind.REMOTE;
    }

    RtHandler handler() {
        return handler;
    }

    public long cpuBudgetNs() {
        return cpuBudgetNs;
    }

    public int maxBufferBytes() {
        return maxBufferBytes;
    }

    public OverrunPolicy overrun() {
        return overrun;
    }

    public PortMetrics metrics() {
        return metrics;
    }

    /** The reserve the port runs on while connected, else null. */
    public Reserve reserve() {
        return reserve;
    }

    synchronized void bind(Connection c) {
        if (connection != null) {
            throw new IllegalStateException("port '" + name + "' is already connected");
        }
        connection = c;
    }

    void reserve(Reserve r) {
        reserve = r;
    }

    synchronized void unbind(Connection c) {
        if (connection == c) {
            connection = null;
            reserve = null;
        }
    }

    @Override
    public String toString() {
        return kind.name().toLowerCase() + " '" + name + "'";
    }
}
