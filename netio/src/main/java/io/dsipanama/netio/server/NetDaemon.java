package io.dsipanama.netio.server;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import io.dsipanama.netio.NetContext;
import io.dsipanama.netio.RingOwner;
import io.dsipanama.netio.stream.StreamReceiver;
import io.dsipanama.netio.stream.StreamSender;
import io.dsipanama.stream.StreamAccessException;
import io.dsipanama.stream.StreamConsumer;
import io.dsipanama.stream.StreamDirectory;
import io.dsipanama.stream.StreamProducer;
import io.dsipanama.stream.StreamSpec;

/**
 * Server mode: the protocol runs in this daemon ({@code dsi netd}), not in the applications. An application
 * hands data to the network by producing into a local DSI stream that a send route consumes, and gets data
 * from the network by consuming a stream a listen route produces. Everything runs on one ring
 * ({@link RingOwner}) on the daemon's thread.
 *
 * <p>No copy in the daemon on the way out: a {@link StreamSender}'s iovecs point into the stream's mapped data
 * area (the application wrote the bytes there; the kernel reads them from there). On the way in, a
 * {@link StreamReceiver} lands each payload in the destination stream's claim (see its javadoc for when that
 * is in place).
 *
 * <p>Route lifetimes: a send route waits for its stream to exist (polling every {@link #OPEN_RETRY_NS}), sends
 * it until its producer leaves (then an end frame) and is done; a listen route is bound at start (so its port
 * is known at once), produces until the sender's end frame, then closes its producer (the application's
 * consumer sees the producer gone) and is done. A route serves one stream lifetime; restart netd for the next.
 *
 * <p>Waking: the ring sleeps on its sockets and, where the kernel has IORING_OP_FUTEX_WAIT (Linux 6.7), on the
 * data futex of every stream it sends ({@link StreamSender#armDataWait}): a commit wakes the daemon at once.
 * The sleep's timeout is then only a safety net ({@link #LIVENESS_NS}: a producer that died without a word, a
 * stop request). The timer comes back to {@code idleNs} (a poll) only for what nothing would wake: a send route
 * without FUTEX_WAIT (the fallback, reported in {@link io.dsipanama.netio.NetFeatures#fallbacks()}), a
 * landing listen route waiting for room, and a send route waiting for its stream to appear.
 *
 * <p>Threading: construct, {@link #doWork}, {@link #run} and {@link #close} on one thread.
 */
public final class NetDaemon implements AutoCloseable {
    /** How often a send route looks for its stream before it exists. */
    public static final long OPEN_RETRY_NS = TimeUnit.MILLISECONDS.toNanos(10);
    /** The longest sleep when everything that can wake the ring is armed: checks liveness and the stop flag. */
    public static final long LIVENESS_NS = TimeUnit.MILLISECONDS.toNanos(100);

    private final StreamDirectory directory;
    private final RingOwner owner;
    private final List<SendSide> sends = new ArrayList<>();
    private final List<ListenSide> listens = new ArrayList<>();
    private final long idleNs;

    private static final class SendSide {
        final NetdConfig.SendRoute route;
        StreamConsumer consumer;
        StreamSender sender;
        long nextOpenNs;
        boolean done;
        long packets;
        long bytes;
        long sendErrors;
        long dataWakes;

        SendSide(NetdConfig.SendRoute route) {
            this.route = route;
        }
    }

    private static final class ListenSide {
        final NetdConfig.ListenRoute route;
        final StreamProducer producer;
        final StreamReceiver receiver;
        final InetSocketAddress bound;
        boolean done;

        ListenSide(NetdConfig.ListenRoute route, StreamProducer producer, StreamReceiver receiver) {
            this.route = route;
            this.producer = producer;
            this.receiver = receiver;
            this.bound = receiver.localAddress();
        }
    }

    /**
     * Binds every listen route (creating its stream with {@code createSpec} where asked) on a new ring for the
     * calling thread. {@code blockTimeoutNs}: how long a listen route waits for room under BLOCK;
     * {@code idleNs}: the poll interval for what cannot wake the ring (see the class comment: the send streams without FUTEX_WAIT).
     */
    public NetDaemon(StreamDirectory directory, NetContext ctx, NetdConfig config, StreamSpec createSpec,
                     long blockTimeoutNs, long idleNs) {
        this(directory, ctx, config, createSpec, blockTimeoutNs, idleNs, false);
    }

    /** As above; {@code landInClaims} makes listen routes land one-datagram frames in stream claims (see {@link StreamReceiver}). */
    public NetDaemon(StreamDirectory directory, NetContext ctx, NetdConfig config, StreamSpec createSpec,
                     long blockTimeoutNs, long idleNs, boolean landInClaims) {
        this.directory = directory;
        this.idleNs = idleNs;
        this.owner = new RingOwner(ctx);
        try {
            for (NetdConfig.ListenRoute r : config.listens()) {
                StreamProducer p = r.create() ? StreamProducer.create(directory, r.stream(), createSpec)
                        : StreamProducer.open(directory, r.stream());
                try {
                    listens.add(new ListenSide(r, p, new StreamReceiver(owner, r.listen(), p, blockTimeoutNs, landInClaims)));
                } catch (RuntimeException | Error e) {
                    p.close();
                    throw e;
                }
            }
            for (NetdConfig.SendRoute r : config.sends()) {
                sends.add(new SendSide(r));
            }
        } catch (RuntimeException | Error e) {
            close();
            throw e;
        }
    }

    /** The address each listen route is bound to, in configuration order. */
    public List<InetSocketAddress> listenAddresses() {
        return listens.stream().map(l -> l.bound).toList();
    }

    /** One cycle: open streams that appeared, move packets, finish routes. Returns the work done. */
    public int doWork(long nowNs) {
        int work = 0;
        for (SendSide s : sends) {
            if (s.done) {
                continue;
            }
            if (s.sender == null && nowNs - s.nextOpenNs >= 0) {
                open(s, nowNs);
            }
            if (s.sender != null) {
                work += s.sender.doWork(nowNs);
                if (s.sender.finished()) {
                    finish(s);
                    work++;
                }
            }
        }
        work += owner.doWork(nowNs);
        for (ListenSide l : listens) {
            if (!l.done && l.receiver.ended()) {
                l.done = true;
                l.receiver.close();
                l.producer.close();
                work++;
            }
        }
        return work;
    }

    private void open(SendSide s, long nowNs) {
        try {
            s.consumer = StreamConsumer.open(directory, s.route.stream());
        } catch (StreamAccessException e) {
            if (e.reason() != StreamAccessException.Reason.NOT_FOUND) {
                throw e;
            }
            s.nextOpenNs = nowNs + OPEN_RETRY_NS;
            return;
        }
        try {
            s.sender = new StreamSender(owner, s.consumer, s.route.to(), s.route.streamId(), s.route.priority());
        } catch (RuntimeException | Error e) {
            s.consumer.close();
            s.consumer = null;
            throw e;
        }
    }

    private void finish(SendSide s) {
        s.packets = s.sender.packets();
        s.bytes = s.sender.bytes();
        s.sendErrors = s.sender.sendErrors();
        s.dataWakes = s.sender.dataWakes();
        s.sender.close();
        s.consumer.close();
        s.sender = null;
        s.consumer = null;
        s.done = true;
    }

    /** Runs cycles (sleeping in the kernel when idle, see the class comment) until {@code stop}, or every route is done when {@code untilDone}. */
    public void run(BooleanSupplier stop, boolean untilDone) {
        while (!stop.getAsBoolean() && !(untilDone && allDone())) {
            long now = System.nanoTime();
            if (doWork(now) == 0 && armWakes(now) == 0) {
                owner.idle(sleepNs(now));
            }
        }
    }

    /** Before a sleep: arms the data futex of every send route that waits for packets; returns work found. */
    private int armWakes(long nowNs) {
        int work = 0;
        for (SendSide s : sends) {
            if (!s.done && s.sender != null) {
                work += s.sender.armDataWait(nowNs);
            }
        }
        return work;
    }

    /** How long the ring may sleep: {@code idleNs} if anything must be polled, else {@link #LIVENESS_NS}. */
    private long sleepNs(long nowNs) {
        long sleep = LIVENESS_NS;
        for (SendSide s : sends) {
            if (s.done) {
                continue;
            }
            if (s.sender == null) {
                sleep = Math.min(sleep, Math.max(0, s.nextOpenNs - nowNs));
            } else if (s.sender.needsPoll()) {
                sleep = Math.min(sleep, idleNs);
            }
        }
        for (ListenSide l : listens) {
            if (!l.done && l.receiver.waitingForRoom()) {
                sleep = Math.min(sleep, idleNs);
            }
        }
        return sleep;
    }

    /** Whether send routes wake on their streams' data futex (false: they are polled every {@code idleNs}). */
    public boolean wakesOnData() {
        return owner.features().futexWait();
    }

    /** True when every route served its stream. */
    public boolean allDone() {
        return sends.stream().allMatch(s -> s.done) && listens.stream().allMatch(l -> l.done);
    }

    /** One map per route: kind, stream, address, state and its counts (for dsi netd's JSON). */
    public List<Map<String, Object>> status() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (SendSide s : sends) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("route", "send");
            m.put("stream", s.route.stream());
            m.put("to", s.route.to().getAddress().getHostAddress() + ":" + s.route.to().getPort());
            m.put("state", s.done ? "done" : s.sender == null ? "waiting" : "sending");
            m.put("packets", s.sender != null ? s.sender.packets() : s.packets);
            m.put("bytes", s.sender != null ? s.sender.bytes() : s.bytes);
            m.put("send_errors", s.sender != null ? s.sender.sendErrors() : s.sendErrors);
            m.put("wake", owner.features().futexWait() ? "futex" : "poll");
            m.put("data_wakes", s.sender != null ? s.sender.dataWakes() : s.dataWakes);
            out.add(m);
        }
        for (ListenSide l : listens) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("route", "listen");
            m.put("stream", l.route.stream());
            m.put("listen", l.bound.getAddress().getHostAddress() + ":" + l.bound.getPort());
            m.put("state", l.done ? "done" : "receiving");
            m.put("packets", l.receiver.packets());
            m.put("bytes", l.receiver.bytes());
            m.put("marked_missing", l.receiver.markedMissing());
            m.put("not_stored", l.receiver.notStored());
            m.put("sender_packets", l.receiver.senderPackets());
            m.put("landed_in_place", l.receiver.landedInPlace());
            out.add(m);
        }
        return out;
    }

    public RingOwner ringOwner() {
        return owner;
    }

    /** Closes every route (senders and receivers cancel their requests first), the streams, then the ring. */
    @Override
    public void close() {
        try {
            for (SendSide s : sends) {
                if (s.sender != null) {
                    s.sender.close();
                }
                if (s.consumer != null) {
                    s.consumer.close();
                }
            }
            for (ListenSide l : listens) {
                if (!l.done) {
                    l.receiver.close();
                    l.producer.close();
                }
            }
        } finally {
            owner.close();
        }
    }
}
