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
import io.dsipanama.netio.stream.StreamFrameDescriptor;
import io.dsipanama.netio.stream.StreamSender;
import io.dsipanama.stream.LossReason;
import io.dsipanama.stream.StreamAccessException;
import io.dsipanama.stream.StreamConsumer;
import io.dsipanama.stream.StreamDirectory;

/** {@code dsi send}: consumes a local stream and sends it to a {@code dsi recv} ({@link StreamSender}). */
final class SendCommand {
    static final String USAGE = """
            usage: dsi send NAME --to HOST:PORT [--priority P] [--stream-id N] [--timeout-ms MS] [--root DIR] [--json]
              Consumes stream NAME (as its one consumer) and sends every packet, its virtual time and the losses
              this side saw, to dsi recv. Ends when the stream's producer has left and everything is sent.
              --to HOST:PORT   where dsi recv listens
              --priority P     netio priority class 0..7 (default 4): SO_PRIORITY and DSCP of the datagrams
              --stream-id N    the id in the frames (default: a hash of NAME)
              --timeout-ms MS  give up when the stream does not exist after MS (default 10000)
              --json           JSON summary: packets, bytes, frames, fragments, lost upstream by reason, drops
            """;

    private SendCommand() {
    }

    static int run(String[] argv, PrintStream out, PrintStream err) {
        Args args = Args.parse("send", argv, 1, Set.of("to", "priority", "stream-id", "timeout-ms", "root"),
                Set.of("json", "help"));
        if (args.flag("help")) {
            out.print(USAGE);
            return 0;
        }
        String name = StreamOptions.name("send", args);
        if (args.get("to", null) == null) {
            throw new Args.UsageException("send: --to HOST:PORT is required");
        }
        InetSocketAddress to = BridgeOptions.address("to", args.get("to", null), "127.0.0.1");
        int priority = Math.toIntExact(args.getLong("priority", 4));
        if (priority < 0 || priority > 7) {
            throw new Args.UsageException("send: --priority is 0..7, not " + priority);
        }
        int streamId = Math.toIntExact(args.getLong("stream-id", StreamFrameDescriptor.streamId(name)));
        long timeoutMs = args.getLong("timeout-ms", 10_000);
        StreamDirectory dir = StreamOptions.directory(args);
        long start = System.nanoTime();
        try (StopOnSignal stop = new StopOnSignal();
             StreamConsumer consumer = BridgeOptions.openConsumer(dir, name, timeoutMs, stop)) {
            if (consumer == null) {
                err.println("dsi send: no stream '" + name + "' in " + dir.root() + " after " + timeoutMs + " ms");
                return 1;
            }
            try (RingOwner owner = new RingOwner(new NetContext().conclude());
                 StreamSender sender = new StreamSender(owner, consumer, to, streamId, priority)) {
                while (!sender.finished() && !stop.getAsBoolean()) {
                    long now = System.nanoTime();
                    if (sender.doWork(now) + owner.doWork(now) == 0) {
                        owner.idle(TimeUnit.MICROSECONDS.toNanos(200));
                    }
                }
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("stream", name);
                m.put("to", to.getAddress().getHostAddress() + ":" + to.getPort());
                m.put("stream_id", streamId);
                m.put("packets", sender.packets());
                m.put("bytes", sender.bytes());
                BridgeOptions.netio(m, owner.counters(), true);
                Map<String, Object> lost = new LinkedHashMap<>();
                for (LossReason r : LossReason.values()) {
                    lost.put(r.name().toLowerCase(Locale.ROOT), sender.lostUpstream(r));
                }
                m.put("lost_upstream", lost);
                m.put("send_errors", sender.sendErrors());
                m.put("end", sender.finished() ? "sent" : "stopped");
                m.put("elapsed_ms", (System.nanoTime() - start) / 1_000_000);
                if (args.flag("json")) {
                    out.println(Json.write(m));
                } else {
                    out.printf("sent %d packets (%s MiB) of '%s' to %s in %d frames, %d datagrams; lost upstream %s%n",
                            sender.packets(), StreamOptions.mib(sender.bytes()), name, m.get("to"), m.get("frames"),
                            m.get("fragments"), lost);
                }
                return sender.sendErrors() == 0 ? 0 : 1;
            }
        } catch (StreamAccessException e) {
            err.println("dsi send: " + e.getMessage());
            return 1;
        }
    }
}
