package io.dsipanama.rtu.port;

import io.dsipanama.rtu.Reserve;
import io.dsipanama.rtu.ReserveSpec;
import io.dsipanama.rtu.RtScheduler;
import io.dsipanama.rtu.registry.AdmissionException;
import io.dsipanama.rtu.stream.StreamTrigger;
import io.dsipanama.stream.OverflowPolicy;
import io.dsipanama.stream.StreamAccessException;
import io.dsipanama.stream.StreamConsumer;
import io.dsipanama.stream.StreamDirectory;
import io.dsipanama.stream.StreamMode;
import io.dsipanama.stream.StreamProducer;
import io.dsipanama.stream.StreamSizing;
import io.dsipanama.stream.StreamSpec;

import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * Connects {@link RtPort}s with a QoS (Coulson and Blair's {@code connect} and user-level pipelines) on a
 * scheduler: admits one reserve per local port through the host-wide registry, creates the buffering, and
 * starts the handlers as upcalls — the source periodic at the QoS rate, every later stage reactive, fired
 * when the previous one hands a buffer on.
 *
 * <ul>
 *   <li>All ports in this process: buffers from a pool of this connection, handed from stage to stage by
 *   reference (no copy), back to the source after the last stage.</li>
 *   <li>One port {@linkplain RtPort#remote remote}: a DSI stream named {@code rtport.SOURCE.SINK} in the
 *   directory. The source's process creates it (and removes its name on close) and starts the source once
 *   the sink's process has attached; the sink's process opens it. Each side waits up to {@link #openTimeout}
 *   for the other. The sink's upcall is fired by a
 *   {@link StreamTrigger}. Each process calls {@code connect} with the same names and QoS; the handlers are
 *   the same code as in one process.</li>
 * </ul>
 *
 * <p>The delay is split into per-stage deadlines by {@link DelaySplit}. A connection that cannot be admitted
 * (a deadline below a budget, or the registry's test) throws {@link AdmissionException} and leaves nothing
 * behind: no reserve, no stream, no bound port.
 *
 * <p><b>Threading.</b> Any thread.
 */
public final class RtPorts {
    /** Default allowance for a stream link's commit-to-fire time, outside every reserve (see {@link DelaySplit}). */
    public static final long DEFAULT_CROSS_PROCESS_ALLOWANCE_NS = 500_000;

    private final RtScheduler scheduler;
    private final StreamDirectory directory;
    private volatile long crossProcessAllowanceNs = DEFAULT_CROSS_PROCESS_ALLOWANCE_NS;
    private volatile Duration openTimeout = Duration.ofSeconds(10);

    public RtPorts(RtScheduler scheduler, StreamDirectory directory) {
        this.scheduler = scheduler;
        this.directory = directory;
    }

    /** Time a stream link may take from commit to the sink's release, taken off the delay before it is split. */
    public RtPorts crossProcessAllowanceNs(long ns) {
        if (ns < 0) {
            throw new IllegalArgumentException("crossProcessAllowanceNs must be >= 0: " + ns);
        }
        crossProcessAllowanceNs = ns;
        return this;
    }

    /** How long a sink's side waits for the source's process to create the stream. */
    public RtPorts openTimeout(Duration timeout) {
        openTimeout = timeout;
        return this;
    }

    /** Connects {@code source} to {@code sink}; one of them may be remote. */
    public Connection connect(RtPort source, RtPort sink, QoS qos) {
        return pipeline(qos, source, sink);
    }

    /**
     * A pipeline: a source, stages, and a sink (or a last stage), all in this process, the delay QoS end to
     * end; or, with two ports, a connection whose other end may be remote.
     */
    public Connection pipeline(QoS qos, RtPort... chain) {
        List<RtPort> ports = List.of(chain);
        int remote = check(ports);
        long[] budgets = new long[ports.size()];
        for (int i = 0; i < budgets.length; i++) {
            budgets[i] = ports.get(i).cpuBudgetNs();
        }
        long[] deadlines = DelaySplit.deadlinesNs(qos, budgets, remote, crossProcessAllowanceNs);
        String stream = remote == 0 ? null : "rtport." + ports.get(0).name() + "." + ports.get(1).name();
        Connection c = new Connection(ports, qos, deadlines, stream);
        List<RtPort> bound = new ArrayList<>();
        try {
            for (RtPort p : ports) {
                if (!p.isRemote()) {
                    p.bind(c);
                    bound.add(p);
                }
            }
            List<Reserve> reserves = admit(c, ports, qos, deadlines);
            if (remote == 0) {
                wireLocal(c, ports, reserves, qos);
            } else if (ports.get(1).isRemote()) {
                wireStreamSource(c, ports.get(0), reserves.get(0), qos, stream);
            } else {
                wireStreamSink(c, ports.get(1), reserves.get(0), stream);
            }
            return c;
        } catch (RuntimeException | Error e) {
            try {
                c.close();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            bound.forEach(p -> p.unbind(c));
            throw e;
        }
    }

    /** Validates the chain's shape; returns how many links cross processes (0 or 1). */
    private static int check(List<RtPort> ports) {
        if (ports.size() < 2) {
            throw new IllegalArgumentException("a connection needs at least two ports: " + ports);
        }
        int remote = (int) ports.stream().filter(RtPort::isRemote).count();
        if (remote > 0 && (ports.size() != 2 || remote != 1)) {
            throw new IllegalArgumentException("a remote port can only be the other end of a two-port connection "
                    + "(pipelines run in one process): " + ports);
        }
        for (int i = 0; i < ports.size(); i++) {
            RtPort p = ports.get(i);
            RtPort.Kind want = i == 0 ? RtPort.Kind.SOURCE : i == ports.size() - 1 ? RtPort.Kind.SINK : RtPort.Kind.STAGE;
            boolean ok = p.isRemote() || p.kind() == want || want == RtPort.Kind.SINK && p.kind() == RtPort.Kind.STAGE;
            if (!ok) {
                throw new IllegalArgumentException(p + " cannot be port " + i + " of " + ports + " (a " + want.name().toLowerCase()
                        + " is needed there)");
            }
        }
        return remote;
    }

    private List<Reserve> admit(Connection c, List<RtPort> ports, QoS qos, long[] deadlines) {
        List<Reserve> reserves = new ArrayList<>();
        for (int i = 0; i < ports.size(); i++) {
            RtPort p = ports.get(i);
            if (p.isRemote()) {
                continue;
            }
            Reserve r = scheduler.admit(new ReserveSpec(p.name(), p.cpuBudgetNs(), qos.periodNs(), deadlines[i], new BitSet(),
                    p.overrun())); // AdmissionException: c.close() gives back the ones before
            c.add(r);
            p.reserve(r);
            reserves.add(r);
        }
        return reserves;
    }

    /**
     * Buffers: enough for one delay's worth of releases plus one held by each stage, so the source finds a
     * free one whenever the delay QoS is being met.
     */
    private static void wireLocal(Connection c, List<RtPort> ports, List<Reserve> reserves, QoS qos) {
        int n = ports.size();
        int buffers = (int) Math.min(1 << 16, -Math.floorDiv(-qos.delayNs(), qos.periodNs()) + n);
        int bytes = ports.get(0).maxBufferBytes();
        HandOff free = new HandOff(buffers);
        for (int i = 0; i < buffers; i++) {
            free.offer(new RtBuffer(c.arena().allocate(bytes, 64), bytes));
        }
        HandOff[] links = new HandOff[n - 1];
        for (int i = 0; i < links.length; i++) {
            links[i] = new HandOff(buffers);
        }
        for (int i = n - 1; i >= 1; i--) { // downstream first, so every trigger is attached before buffers flow
            HandOff out = i == n - 1 ? null : links[i];
            reserves.get(i).startReactive(links[i - 1], 0, new LocalStages.Stage(ports.get(i), links[i - 1], out, free));
        }
        reserves.get(0).startPeriodic(new LocalStages.Source(ports.get(0), free, links[0]));
    }

    private void wireStreamSource(Connection c, RtPort source, Reserve reserve, QoS qos, String stream) {
        StreamSpec spec = StreamSpec.builder()
                .sizing(StreamSizing.forPeriodicStream(qos.periodNs(), qos.jitterNs(), source.maxBufferBytes(), qos.delayNs()))
                .policy(OverflowPolicy.DROP_OLDEST).mode(StreamMode.REAL_TIME).nsPerTick(1)
                .validityTicks(2 * qos.delayNs()) // a buffer twice its delay late is void: the sink counts it lost
                .build();
        StreamProducer producer = StreamProducer.create(directory, stream, spec);
        c.ownStream(directory);
        c.add(producer);
        awaitConsumer(producer);
        reserve.startPeriodic(new StreamStages.Source(source, producer));
    }

    private void wireStreamSink(Connection c, RtPort sink, Reserve reserve, String stream) {
        StreamConsumer consumer = openWaiting(stream);
        c.add(consumer);
        reserve.startReactive(new StreamTrigger(consumer), 0, new StreamStages.Sink(sink, consumer));
    }

    /**
     * The rendezvous: the source starts only once the sink's process has attached, so the first buffers
     * are not lost (expired or overwritten) while the other side is still starting.
     */
    private void awaitConsumer(StreamProducer producer) {
        long deadline = System.nanoTime() + openTimeout.toNanos();
        while (!producer.stats().consumerAlive()) {
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("stream '" + producer.name() + "': no sink attached within " + openTimeout
                        + " (the sink's process connects with the same names)");
            }
            sleep(producer.name());
        }
    }

    private static void sleep(String stream) {
        try {
            Thread.sleep(10);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while connecting over stream '" + stream + "'", e);
        }
    }

    private StreamConsumer openWaiting(String stream) {
        long deadline = System.nanoTime() + openTimeout.toNanos();
        while (true) {
            try {
                return StreamConsumer.open(directory, stream);
            } catch (StreamAccessException e) {
                if (e.reason() != StreamAccessException.Reason.NOT_FOUND || System.nanoTime() - deadline > 0) {
                    throw e;
                }
            }
            sleep(stream);
        }
    }
}
