package io.dsipanama.rtu.port;

import io.dsipanama.rtu.Reserve;
import io.dsipanama.stream.StreamDirectory;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;

/**
 * A connection or pipeline as admitted: its ports, the per-stage deadlines the delay QoS was split into,
 * the reserves of this process's ports, and what carries the buffers (this process's buffer pool, or the
 * DSI stream of a cross-process link). Closing stops every upcall, gives the reserves back, and releases
 * the buffers (the source side removes the stream's name; a sink still mapping it keeps its memory).
 *
 * <p><b>Threading.</b> Any thread; {@link #close()} not from one of the connection's upcalls.
 */
public final class Connection implements AutoCloseable {
    private final List<RtPort> ports;
    private final QoS qos;
    private final long[] deadlinesNs;
    private final String streamName;
    private final List<Reserve> reserves = new ArrayList<>();
    private final List<AutoCloseable> resources = new ArrayList<>();
    private StreamDirectory createdIn;
    private Arena arena;
    private boolean closed;

    Connection(List<RtPort> ports, QoS qos, long[] deadlinesNs, String streamName) {
        this.ports = List.copyOf(ports);
        this.qos = qos;
        this.deadlinesNs = deadlinesNs.clone();
        this.streamName = streamName;
    }

    public List<RtPort> ports() {
        return ports;
    }

    public QoS qos() {
        return qos;
    }

    /** Stage {@code i}'s deadline, relative to its release, ns (see {@link DelaySplit}). */
    public long deadlineNs(int stage) {
        return deadlinesNs[stage];
    }

    /** The DSI stream under a cross-process connection, or null in one process. */
    public String streamName() {
        return streamName;
    }

    /** True when source and sink are in different processes. */
    public boolean crossProcess() {
        return streamName != null;
    }

    synchronized void add(Reserve r) {
        reserves.add(r);
    }

    synchronized void add(AutoCloseable resource) {
        resources.add(resource);
    }

    synchronized void ownStream(StreamDirectory directory) {
        createdIn = directory;
    }

    synchronized Arena arena() {
        if (arena == null) {
            arena = Arena.ofShared();
        }
        return arena;
    }

    /** Stops the upcalls, gives back the reserves, closes the stream ends and frees the buffers. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        RuntimeException failure = null;
        for (Reserve r : reserves) { // the source (admitted first) stops first: nothing new enters
            try {
                r.close();
            } catch (RuntimeException e) {
                failure = failure == null ? e : failure;
            }
        }
        for (int i = resources.size() - 1; i >= 0; i--) {
            try {
                resources.get(i).close();
            } catch (Exception e) {
                failure = failure == null ? new IllegalStateException("closing " + resources.get(i), e) : failure;
            }
        }
        if (createdIn != null) {
            createdIn.remove(streamName);
        }
        if (arena != null) {
            arena.close();
        }
        for (RtPort p : ports) {
            p.unbind(this);
        }
        if (failure != null) {
            throw failure;
        }
    }

    @Override
    public String toString() {
        return "Connection" + ports + " " + qos + (crossProcess() ? " over stream '" + streamName + "'" : " in process");
    }
}
