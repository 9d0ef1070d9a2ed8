package io.dsipanama.cli;

import io.dsipanama.ffm.ProcessIdentity;
import io.dsipanama.stream.StreamCounter;
import io.dsipanama.stream.StreamDirectory;
import io.dsipanama.stream.StreamInfo;
import io.dsipanama.stream.StreamStats;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code dsi streams}: the streams under the root with their peers, liveness, fill and counters, read from
 * shared memory without disturbing them; and removal of one stream or of every stale one.
 */
final class StreamsCommand {
    static final String USAGE = """
            usage: dsi streams [--json] [--remove NAME] [--remove-stale] [--root DIR]
              Lists the streams: policy, producer and consumer pid (+ alive, - gone, closed), fill (queued packets
              / descriptors), produced, consumed, lost (dropped, expired, skipped, revoked), state.
              --remove NAME    unlink one stream (processes that have it mapped keep working)
              --remove-stale   unlink every stream whose creator, producer and consumer are all gone
              --json           JSON array: name, state, problem, policy, mode, descriptors, data_bytes,
                               producer_pid, producer_alive, consumer_pid, consumer_alive, fill, counters {label: n}
            """;

    private StreamsCommand() {
    }

    static int run(String[] argv, PrintStream out, PrintStream err) {
        Args args = Args.parse("streams", argv, 1, Set.of("remove", "root"), Set.of("remove-stale", "json", "help"));
        if (args.flag("help")) {
            out.print(USAGE);
            return 0;
        }
        if (!args.positional().isEmpty()) {
            throw new Args.UsageException("streams: takes no NAME (did you mean --remove " + args.positional().getFirst() + "?)");
        }
        StreamDirectory dir = StreamOptions.directory(args);
        String remove = args.get("remove", null);
        if (remove != null) {
            if (!dir.remove(remove)) {
                err.println("dsi streams: no stream '" + remove + "' in " + dir.root());
                return 1;
            }
            out.println("removed " + remove);
            return 0;
        }
        if (args.flag("remove-stale")) {
            List<StreamInfo> stale = dir.findStale();
            for (StreamInfo s : stale) {
                dir.remove(s.name());
                out.println("removed " + s.name() + " (creator " + s.creator().pid() + ", producer " + s.producer().pid()
                        + ", consumer " + s.consumer().pid() + " all gone)");
            }
            out.println(stale.size() + " stale stream" + (stale.size() == 1 ? "" : "s") + " removed");
            return 0;
        }
        List<StreamInfo> streams = dir.list();
        if (args.flag("json")) {
            List<Object> list = new ArrayList<>();
            streams.forEach(s -> list.add(json(s)));
            out.println(Json.write(list));
            return 0;
        }
        if (streams.isEmpty()) {
            out.println("no streams in " + dir.root());
            return 0;
        }
        out.printf("%-20s %-11s %-9s %-9s %-11s %10s %10s %8s  %s%n", "NAME", "POLICY", "PRODUCER", "CONSUMER", "FILL",
                "PRODUCED", "CONSUMED", "LOST", "STATE");
        for (StreamInfo s : streams) {
            if (s.problem() != null) {
                out.printf("%-20s %s%n", s.name(), "unreadable: " + s.problem());
                continue;
            }
            StreamStats st = s.stats();
            out.printf("%-20s %-11s %-9s %-9s %-11s %10d %10d %8d  %s%n", s.name(),
                    s.spec().policy().name().toLowerCase(Locale.ROOT).replace('_', '-'), peer(s.producer()), peer(s.consumer()),
                    st.fillPackets() + "/" + s.spec().descriptorCount(), st.counter(StreamCounter.PRODUCED),
                    st.counter(StreamCounter.CONSUMED), lost(st), state(s));
        }
        return 0;
    }

    private static String peer(ProcessIdentity p) {
        return switch (p.pid()) {
            case 0 -> "none";
            case -1 -> "attaching";
            case -2 -> "closed";
            default -> p.pid() + (p.isAlive() ? "+" : "-");
        };
    }

    private static long lost(StreamStats st) {
        return st.counter(StreamCounter.DROPPED_OVERFLOW_OLDEST) + st.counter(StreamCounter.DROPPED_OVERFLOW_NEWEST)
                + st.counter(StreamCounter.EXPIRED) + st.counter(StreamCounter.EXPIRED_AT_CONSUMER)
                + st.counter(StreamCounter.SKIPPED) + st.counter(StreamCounter.REVOKED)
                + st.counter(StreamCounter.MISSING_DROPPED) + st.counter(StreamCounter.MISSING_SEEN);
    }

    private static String state(StreamInfo s) {
        if (s.stale()) {
            return "stale (dsi streams --remove-stale)";
        }
        return s.producerAlive() || s.consumerAlive() ? "live" : "idle";
    }

    private static Map<String, Object> json(StreamInfo s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", s.name());
        m.put("state", s.problem() != null ? "unreadable" : s.stale() ? "stale" : s.producerAlive() || s.consumerAlive() ? "live" : "idle");
        m.put("problem", s.problem());
        if (s.problem() == null) {
            StreamStats st = s.stats();
            m.put("policy", s.spec().policy().name().toLowerCase(Locale.ROOT).replace('_', '-'));
            m.put("mode", s.spec().mode().name().toLowerCase(Locale.ROOT).replace('_', '-'));
            m.put("descriptors", s.spec().descriptorCount());
            m.put("data_bytes", s.spec().dataBytes());
            m.put("producer_pid", s.producer().pid());
            m.put("producer_alive", s.producerAlive());
            m.put("consumer_pid", s.consumer().pid());
            m.put("consumer_alive", s.consumerAlive());
            m.put("fill", st.fillPackets());
            Map<String, Object> counters = new LinkedHashMap<>();
            st.counters().forEach((c, v) -> counters.put(c.label(), v));
            m.put("counters", counters);
        }
        return m;
    }
}
