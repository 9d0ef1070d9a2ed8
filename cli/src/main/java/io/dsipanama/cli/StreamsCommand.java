package io.dsipanama.cli;

import io.dsipanama.ffm.support.ProcessIdentity;
import io.dsipanama.stream.LockState;
import io.dsipanama.stream.StreamAccessException;
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
import java.util.concurrent.locks.LockSupport;

/**
 * {@code dsi streams}: the streams under the root with their peers, liveness, fill and counters, read from
 * shared memory without disturbing them; and removal of one stream or of every stale one.
 */
final class StreamsCommand {
    static final String USAGE = """
            usage: dsi streams [--json] [--remove NAME] [--remove-stale] [--unlock NAME [--wait-ms MS]] [--root DIR]
              Lists the streams: policy, producer and consumer pid (+ alive, - gone, closed), fill (queued packets
              / descriptors), produced, consumed, lost (dropped, expired, skipped, revoked), memory lock of the
              producer/consumer (locked, demoted, - none), state.
              --remove NAME    unlink one stream (processes that have it mapped keep working)
              --remove-stale   unlink every stream whose creator, producer and consumer are all gone
              --unlock NAME    ask the stream's ends to give up their memory lock (munlock: the pages become
                               swappable, data and peers are unaffected); waits up to --wait-ms (default 1000)
                               for the locked ends to answer and says what they did
              --json           JSON array: name, state, problem, policy, mode, descriptors, data_bytes,
                               producer_pid, producer_alive, consumer_pid, consumer_alive, fill, producer_lock,
                               consumer_lock, lock_demand, locked_bytes, counters {label: n}
            """;

    private StreamsCommand() {
    }

    static int run(String[] argv, PrintStream out, PrintStream err) {
        Args args = Args.parse("streams", argv, 1, Set.of("remove", "root", "unlock", "wait-ms"), Set.of("remove-stale", "json", "help"));
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
        String unlock = args.get("unlock", null);
        if (unlock != null) {
            return unlock(dir, unlock, args.getLong("wait-ms", 1000), out, err);
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
        out.printf("%-20s %-11s %-9s %-9s %-11s %10s %10s %8s  %-15s %s%n", "NAME", "POLICY", "PRODUCER", "CONSUMER",
                "FILL", "PRODUCED", "CONSUMED", "LOST", "LOCK", "STATE");
        for (StreamInfo s : streams) {
            if (s.problem() != null) {
                out.printf("%-20s %s%n", s.name(), "unreadable: " + s.problem());
                continue;
            }
            StreamStats st = s.stats();
            out.printf("%-20s %-11s %-9s %-9s %-11s %10d %10d %8d  %-15s %s%n", s.name(),
                    s.spec().policy().name().toLowerCase(Locale.ROOT).replace('_', '-'), peer(s.producer()), peer(s.consumer()),
                    st.fillPackets() + "/" + s.spec().descriptorCount(), st.counter(StreamCounter.PRODUCED),
                    st.counter(StreamCounter.CONSUMED), lost(st), lock(st.producerLock()) + "/" + lock(st.consumerLock()),
                    state(s));
        }
        return 0;
    }

    /**
     * Sends the demotion request, then waits (bounded) until no live end holds the stream locked. An end
     * answers on its own thread: within 64 packets, or one 100 ms wait slice if it is blocked; an end idle
     * outside the stream's calls answers when it next uses it.
     */
    private static int unlock(StreamDirectory dir, String name, long waitMs, PrintStream out, PrintStream err) {
        long demand;
        try {
            demand = dir.demoteLock(name);
        } catch (StreamAccessException e) {
            err.println("dsi streams: " + e.getMessage());
            return 1;
        }
        long deadline = System.nanoTime() + waitMs * 1_000_000;
        StreamStats st = stats(dir, name);
        while (st != null && st.lockedBytes() > 0 && System.nanoTime() - deadline < 0) {
            LockSupport.parkNanos(5_000_000);
            st = stats(dir, name);
        }
        if (st == null) {
            out.println("unlock requested for " + name + " (request " + demand + "); the stream is now unreadable");
            return 0;
        }
        out.println("unlock requested for " + name + " (request " + demand + "): producer " + lock(st.producerLock())
                + ", consumer " + lock(st.consumerLock()) + (st.lockedBytes() > 0 ? " (a locked end has not answered"
                + " within " + waitMs + " ms: it answers at its next packets or wait)" : ""));
        return 0;
    }

    private static StreamStats stats(StreamDirectory dir, String name) {
        for (StreamInfo s : dir.list()) {
            if (s.name().equals(name)) {
                return s.stats();
            }
        }
        return null;
    }

    private static String lock(LockState state) {
        return switch (state) {
            case NONE -> "-";
            case LOCKED -> "locked";
            case DEMOTED -> "demoted";
        };
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
            m.put("producer_lock", st.producerLock().name().toLowerCase(Locale.ROOT));
            m.put("consumer_lock", st.consumerLock().name().toLowerCase(Locale.ROOT));
            m.put("lock_demand", st.lockDemand());
            m.put("locked_bytes", st.lockedBytes());
            Map<String, Object> counters = new LinkedHashMap<>();
            st.counters().forEach((c, v) -> counters.put(c.label(), v));
            m.put("counters", counters);
        }
        return m;
    }
}
