package io.dsipanama.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import io.dsipanama.netio.NetContext;
import io.dsipanama.netio.server.NetDaemon;
import io.dsipanama.netio.server.NetdConfig;
import io.dsipanama.stream.StreamAccessException;
import io.dsipanama.stream.StreamDirectory;

/** {@code dsi netd}: the netio server ({@link NetDaemon}); applications reach the network through streams. */
final class NetdCommand {
    static final String USAGE = """
            usage: dsi netd [--send NAME=HOST:PORT[,priority=P][,id=N]]... [--listen [HOST:]PORT=NAME[,create]]...
                            [--config FILE] [--land] [--exit-when-done] [--idle-us US] [--block-ms MS]
                            [--max-packet B] [spec options of dsi produce, for created streams] [--root DIR] [--json]
              The network server: the protocol runs here, applications only produce and consume DSI streams.
              --send NAME=HOST:PORT    consume local stream NAME (waiting for it to appear) and send it to
                                       HOST:PORT, straight from the stream's shared data area (no copy)
              --listen PORT=NAME       receive on [HOST:]PORT (0: any free port) into local stream NAME;
                                       ,create creates NAME with --max-packet (default 64K) and the spec options
              --config FILE            more routes, one per line: 'send NAME HOST:PORT [priority P] [id N]' or
                                       'listen [HOST:]PORT NAME [create]'; '#' starts a comment
              --land                   a received frame that fits one datagram lands in the stream's claim and is
                                       committed there (one receive in flight; default: multishot receive and
                                       one copy, faster on this machine, see netio/README.md)
              --exit-when-done         exit once every route served its stream (else run until SIGINT/SIGTERM)
              --idle-us US             poll interval for what cannot wake the ring: send streams without io_uring
                                       FUTEX_WAIT (Linux < 6.7), a landing route waiting for room (default 100)
              --block-ms MS            under policy block, wait at most MS for room per packet (default 1000)
              --json                   JSON lines: {"event":"ready","listen":[...]} once bound, a summary at the end
            """;

    private NetdCommand() {
    }

    static int run(String[] argv, PrintStream out, PrintStream err) {
        NetdConfig config = new NetdConfig(List.of(), List.of());
        List<String> rest = new ArrayList<>();
        try {
            for (int i = 1; i < argv.length; i++) {
                if ((argv[i].equals("--send") || argv[i].equals("--listen")) && i + 1 < argv.length) {
                    boolean send = argv[i].equals("--send");
                    String v = argv[++i];
                    config = config.with(send ? new NetdConfig(List.of(NetdConfig.parseSend(v)), List.of())
                            : new NetdConfig(List.of(), List.of(NetdConfig.parseListen(v))));
                } else {
                    rest.add(argv[i]);
                }
            }
        } catch (IllegalArgumentException e) {
            throw new Args.UsageException("netd: " + e.getMessage());
        }
        rest.addFirst("netd");
        Args args = Args.parse("netd", rest.toArray(String[]::new), 1, Set.of("config", "idle-us", "block-ms",
                "max-packet", "validity", "tick-ns", "policy", "descriptors", "data-bytes", "root"),
                Set.of("exit-when-done", "land", "non-real-time", "json", "help"));
        if (args.flag("help")) {
            out.print(USAGE);
            return 0;
        }
        if (args.get("config", null) != null) {
            try {
                config = config.with(NetdConfig.parseLines(Files.readAllLines(Path.of(args.get("config", null)))));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (IllegalArgumentException e) {
                throw new Args.UsageException("netd: " + e.getMessage());
            }
        }
        if (config.sends().isEmpty() && config.listens().isEmpty()) {
            throw new Args.UsageException("netd: no route (--send, --listen or --config)");
        }
        int max = Math.toIntExact(StreamOptions.bytes("max-packet", args.get("max-packet", "64K")));
        long blockNs = TimeUnit.MILLISECONDS.toNanos(args.getLong("block-ms", 1_000));
        long idleNs = TimeUnit.MICROSECONDS.toNanos(args.getLong("idle-us", 100));
        boolean json = args.flag("json");
        StreamDirectory dir = StreamOptions.directory(args);
        long start = System.nanoTime();
        try (StopOnSignal stop = new StopOnSignal();
             NetDaemon daemon = new NetDaemon(dir, new NetContext(), config, ProduceCommand.spec(args, max), blockNs,
                     idleNs, args.flag("land"))) {
            List<String> bound = new ArrayList<>();
            for (InetSocketAddress a : daemon.listenAddresses()) {
                bound.add(a.getAddress().getHostAddress() + ":" + a.getPort());
            }
            Map<String, Object> ready = new LinkedHashMap<>();
            ready.put("event", "ready");
            ready.put("pid", ProcessHandle.current().pid());
            ready.put("listen", bound);
            out.println(json ? Json.write(ready).replace("\n", " ") : "netd ready, listening on " + bound);
            out.flush();
            daemon.run(stop, args.flag("exit-when-done"));
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("event", "summary");
            m.put("end", daemon.allDone() ? "done" : "stopped");
            m.put("routes", daemon.status());
            BridgeOptions.netio(m, daemon.ringOwner().counters(), true);
            m.put("elapsed_ms", (System.nanoTime() - start) / 1_000_000);
            out.println(json ? Json.write(m).replace("\n", " ") : "netd " + m);
            return 0;
        } catch (StreamAccessException e) {
            err.println("dsi netd: " + e.getMessage());
            return 1;
        }
    }
}
