package io.dsipanama.cli;

import io.dsipanama.stream.OverflowPolicy;
import io.dsipanama.stream.StreamAccessException;
import io.dsipanama.stream.StreamCounter;
import io.dsipanama.stream.StreamDirectory;
import io.dsipanama.stream.StreamMode;
import io.dsipanama.stream.StreamPeerGoneException;
import io.dsipanama.stream.StreamProducer;
import io.dsipanama.stream.StreamSizing;
import io.dsipanama.stream.StreamSpec;
import io.dsipanama.stream.synthetic.ProduceRun;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** {@code dsi produce}: writes synthetic, verifiable packets into a stream (see {@link ProduceRun}). */
final class ProduceCommand {
    static final String USAGE = """
            usage: dsi produce NAME [--create] [--packets N | --duration-s S] [--size MIN[:MAX]] [--rate HZ]
                               [--validity TICKS] [--policy drop-oldest|drop-newest|block] [--tick-ns NS]
                               [--descriptors N] [--data-bytes B] [--non-real-time] [--missing-every N]
                               [--reclaim-every N] [--lock-memory] [--no-wait] [--root DIR] [--json]
              Writes packets whose payload carries a sequence number and checksum; dsi consume checks them.
              --create         create the stream first (fails if it exists: dsi streams --remove NAME)
              --packets N      packets to write (default: until --duration-s, or 1000 if neither is given)
              --duration-s S   write for S seconds
              --size MIN:MAX   payload bytes, log-uniform between MIN and MAX (default 64:4096; K, M suffixes)
              --rate HZ        packets per second on absolute release times (default: as fast as possible)
              with --create (the stream's spec; ignored otherwise):
              --validity TICKS how long a packet stays valid (default: for ever)
              --tick-ns NS     nanoseconds per virtual-time tick (default 1000000)
              --policy P       on overflow: drop-oldest (default), drop-newest, block
              --descriptors N  ring size, a power of two (default 256)
              --data-bytes B   data area (default: room for the ring full of MAX packets)
              --non-real-time  virtual time = sequence number, nothing expires by the clock
              --missing-every N  publish a MISSING marker instead of every N-th packet
              --lock-memory    mlock the stream (fails naming RLIMIT_MEMLOCK if it cannot)
              --reclaim-every N  after every N-th packet, reclaim the oldest packet not yet released: its
                               pages are punched out of the stream file; a consumer holding it learns by a
                               page fault (see dsi consume --json: revoked_by_fault, revoked_by_check)
              --no-wait        under block, spin on tryClaim instead of sleeping on the futex
              Ctrl-C stops early and still prints the summary.
            """;

    private ProduceCommand() {
    }

    static int run(String[] argv, PrintStream out, PrintStream err) {
        Args args = Args.parse("produce", argv, 1, Set.of("packets", "duration-s", "size", "rate", "validity", "policy",
                "tick-ns", "descriptors", "data-bytes", "missing-every", "reclaim-every", "root"),
                Set.of("create", "non-real-time", "no-wait", "lock-memory", "json", "help"));
        if (args.flag("help")) {
            out.print(USAGE);
            return 0;
        }
        String name = StreamOptions.name("produce", args);
        String[] size = args.get("size", "64:4096").split(":", 2);
        int min = Math.toIntExact(StreamOptions.bytes("size", size[0]));
        int max = Math.toIntExact(StreamOptions.bytes("size", size.length > 1 ? size[1] : size[0]));
        if (min < 0 || max < min) {
            throw new Args.UsageException("produce: --size MIN:MAX needs 0 <= MIN <= MAX, got " + min + ":" + max);
        }
        long durationS = args.getLong("duration-s", -1);
        long rate = args.getLong("rate", 0);
        // a rate and a duration make an exact count: 10 s at 10 kHz is 100000 packets
        long packets = args.getLong("packets", durationS < 0 ? 1000 : rate > 0 ? rate * durationS : -1);
        StreamDirectory dir = StreamOptions.directory(args);
        try (StopOnSignal stop = new StopOnSignal();
             StreamProducer producer = args.flag("create") ? StreamProducer.create(dir, name, spec(args, max))
                : StreamProducer.open(dir, name)) {
            ProduceRun run = new ProduceRun(packets, durationS < 0 ? -1 : durationS * 1_000_000_000L, min, max,
                    rate, !args.flag("no-wait"), Math.toIntExact(args.getLong("missing-every", 0)),
                    System.nanoTime(), Math.toIntExact(args.getLong("reclaim-every", 0)));
            ProduceRun.Report r;
            try {
                r = run.run(producer, stop);
            } catch (StreamPeerGoneException e) {
                err.println("dsi produce: " + e.getMessage());
                return 1;
            }
            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("stream", name);
            summary.put("attempted", r.attempted());
            summary.put("published", r.published());
            summary.put("bytes", r.bytes());
            summary.put("refused", r.refused());
            summary.put("missing_markers", r.markers());
            summary.put("reclaimed", r.reclaimed());
            summary.put("revoked_held", producer.stats().counter(StreamCounter.REVOKED));
            summary.put("pages_reclaimed", producer.stats().counter(StreamCounter.PAGES_RECLAIMED));
            summary.put("elapsed_ms", r.elapsedNs() / 1_000_000);
            summary.put("policy", producer.spec().policy().name());
            summary.put("spool_target", producer.spoolTarget() == Long.MIN_VALUE ? null : producer.spoolTarget());
            if (args.flag("json")) {
                out.println(Json.write(summary));
            } else {
                out.printf("produced %d of %d packets (%s MiB) into '%s' in %d ms: %s packets/s; refused %d, markers %d (%s)%n",
                        r.published(), r.attempted(), StreamOptions.mib(r.bytes()), name, r.elapsedNs() / 1_000_000,
                        StreamOptions.rate(r.published(), r.elapsedNs()), r.refused(), r.markers(),
                        producer.spec().policy().name().toLowerCase().replace('_', '-'));
                if (r.reclaimed() > 0) {
                    out.printf("reclaimed %d packets; %d held packets revoked (reclaim or drop-oldest); %d pages punched%n",
                            r.reclaimed(), producer.stats().counter(StreamCounter.REVOKED),
                            producer.stats().counter(StreamCounter.PAGES_RECLAIMED));
                }
            }
            return 0;
        } catch (StreamAccessException e) {
            err.println("dsi produce: " + e.getMessage());
            return 1;
        } catch (IllegalArgumentException e) {
            throw new Args.UsageException("produce: " + e.getMessage());
        }
    }

    static StreamSpec spec(Args args, int max) {
        OverflowPolicy policy = switch (args.get("policy", "drop-oldest")) {
            case "drop-oldest" -> OverflowPolicy.DROP_OLDEST;
            case "drop-newest" -> OverflowPolicy.DROP_NEWEST;
            case "block" -> OverflowPolicy.BLOCK;
            default -> throw new Args.UsageException("produce: --policy is drop-oldest, drop-newest or block, not '"
                    + args.get("policy", "") + "'");
        };
        int descriptors = Math.toIntExact(args.getLong("descriptors", 256));
        long defaultData = StreamSizing.dataBytesFor(descriptors, Math.max(1, max));
        String data = args.get("data-bytes", null);
        return StreamSpec.builder().descriptorCount(descriptors)
                .dataBytes(data == null ? defaultData : StreamOptions.bytes("data-bytes", data))
                .maxPacketBytes(Math.max(1, max)).policy(policy)
                .validityTicks(args.getLong("validity", Long.MAX_VALUE)).nsPerTick(args.getLong("tick-ns", 1_000_000))
                .mode(args.flag("non-real-time") ? StreamMode.NON_REAL_TIME : StreamMode.REAL_TIME)
                .lockInMemory(args.flag("lock-memory")).build();
    }
}
