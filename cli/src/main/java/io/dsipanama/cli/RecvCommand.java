package io.dsipanama.cli;

import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import io.dsipanama.netio.NetContext;
import io.dsipanama.netio.RingOwner;
import io.dsipanama.netio.stream.StreamReceiver;
import io.dsipanama.stream.LossReason;
import io.dsipanama.stream.StreamAccessException;
import io.dsipanama.stream.StreamDirectory;
import io.dsipanama.stream.StreamProducer;

/** {@code dsi recv}: receives what {@code dsi send} sends and produces it into a local stream ({@link StreamReceiver}). */
final class RecvCommand {
    static final String USAGE = """
            usage: dsi recv --listen [HOST:]PORT --into NAME [--create [--max-packet B] [spec options of dsi produce]]
                            [--timeout-ms MS] [--block-ms MS] [--root DIR] [--json]
              Receives a stream from dsi send into stream NAME (as its producer): packets with their virtual time,
              every lost position (upstream, network, reassembly) as a MISSING marker at its place.
              Ends when the sender's end frame arrives, or after MS without any datagram.
              --listen [HOST:]PORT  where to listen (default host 0.0.0.0)
              --create         create NAME first; --max-packet B (default 64K) and the options --validity,
                               --tick-ns, --policy, --descriptors, --data-bytes, --non-real-time of dsi produce
              --timeout-ms MS  stop after MS without a datagram (default 10000)
              --block-ms MS    under policy block, wait at most MS for room per packet (default 1000)
              --json           JSON summary: packets, bytes, frames, fragments, marked_missing, not_stored,
                               lost_upstream (from the end frame), drops by netio reason
            """;

    private RecvCommand() {
    }

    static int run(String[] argv, PrintStream out, PrintStream err) {
        Args args = Args.parse("recv", argv, 1, Set.of("listen", "into", "max-packet", "validity", "tick-ns", "policy",
                "descriptors", "data-bytes", "timeout-ms", "block-ms", "root"),
                Set.of("create", "non-real-time", "json", "help"));
        if (args.flag("help")) {
            out.print(USAGE);
            return 0;
        }
        String listen = args.get("listen", null);
        String name = args.get("into", null);
        if (listen == null || name == null) {
            throw new Args.UsageException("recv: --listen [HOST:]PORT and --into NAME are required");
        }
        InetSocketAddress bind = BridgeOptions.address("listen", listen, "0.0.0.0");
        long timeoutNs = TimeUnit.MILLISECONDS.toNanos(args.getLong("timeout-ms", 10_000));
        long blockNs = TimeUnit.MILLISECONDS.toNanos(args.getLong("block-ms", 1_000));
        int max = Math.toIntExact(StreamOptions.bytes("max-packet", args.get("max-packet", "64K")));
        StreamDirectory dir = StreamOptions.directory(args);
        long start = System.nanoTime();
        try (StopOnSignal stop = new StopOnSignal();
             StreamProducer producer = args.flag("create") ? StreamProducer.create(dir, name, ProduceCommand.spec(args, max))
                     : StreamProducer.open(dir, name);
             RingOwner owner = new RingOwner(new NetContext().conclude());
             StreamReceiver receiver = new StreamReceiver(owner, bind, producer, blockNs)) {
            long lastDatagrams = 0;
            long lastArrival = System.nanoTime();
            boolean timedOut = false;
            while (!receiver.ended() && !stop.getAsBoolean()) {
                long now = System.nanoTime();
                if (owner.doWork(now) == 0) {
                    owner.idle(TimeUnit.MILLISECONDS.toNanos(1));
                }
                long datagrams = owner.counters().get(io.dsipanama.netio.NetCounter.RX_DATAGRAMS);
                if (datagrams != lastDatagrams) {
                    lastDatagrams = datagrams;
                    lastArrival = now;
                } else if (now - lastArrival > timeoutNs) {
                    timedOut = true;
                    break;
                }
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("stream", name);
            m.put("listen", receiver.localAddress().getAddress().getHostAddress() + ":" + receiver.localAddress().getPort());
            m.put("packets", receiver.packets());
            m.put("bytes", receiver.bytes());
            BridgeOptions.netio(m, owner.counters(), false);
            m.put("marked_missing", receiver.markedMissing());
            m.put("not_stored", receiver.notStored());
            m.put("foreign_frames", receiver.foreignFrames());
            Map<String, Object> lost = new LinkedHashMap<>();
            for (LossReason r : LossReason.values()) {
                lost.put(r.name().toLowerCase(Locale.ROOT), receiver.upstreamLost(r));
            }
            m.put("lost_upstream", lost);
            m.put("sender_packets", receiver.senderPackets());
            m.put("end", receiver.ended() ? "end_frame" : timedOut ? "timeout" : "stopped");
            m.put("elapsed_ms", (System.nanoTime() - start) / 1_000_000);
            if (args.flag("json")) {
                out.println(Json.write(m));
            } else {
                out.printf("received %d packets (%s MiB) into '%s' in %d frames, %d datagrams; marked missing %d, "
                                + "not stored %d; drops %s; ended: %s%n", receiver.packets(), StreamOptions.mib(receiver.bytes()),
                        name, m.get("frames"), m.get("fragments"), receiver.markedMissing(), receiver.notStored(),
                        m.get("drops"), m.get("end"));
            }
            return receiver.ended() ? 0 : 1;
        } catch (StreamAccessException e) {
            err.println("dsi recv: " + e.getMessage());
            return 1;
        } catch (IllegalArgumentException e) {
            throw new Args.UsageException("recv: " + e.getMessage());
        }
    }
}
