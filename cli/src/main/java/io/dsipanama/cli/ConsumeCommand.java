package io.dsipanama.cli;

import io.dsipanama.stream.FaultWatch;
import io.dsipanama.stream.LossReason;
import io.dsipanama.stream.StreamAccessException;
import io.dsipanama.stream.StreamConsumer;
import io.dsipanama.stream.StreamDirectory;
import io.dsipanama.stream.synthetic.ConsumeRun;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;

/** {@code dsi consume}: reads and verifies the packets of {@code dsi produce} (see {@link ConsumeRun}). */
final class ConsumeCommand {
    static final String USAGE = """
            usage: dsi consume NAME [--count N] [--timeout-ms MS] [--delay-us US] [--poll] [--root DIR] [--json]
              Reads packets written by dsi produce and checks every byte, the checksums, that virtual time never
              goes back, and that every gap in the sequence numbers was reported as a loss with a reason.
              --count N       stop after N packets (default: until the producer closes, or the timeout)
              --timeout-ms MS stop when nothing arrives for MS (default 10000; the stream itself may appear late)
              --delay-us US   hold each packet US microseconds before reading and releasing it (a slow consumer;
                              the producer may reclaim a held packet meanwhile)
              --poll          spin on poll() instead of sleeping on the futex
              --json          JSON: received, bytes, checksum_failures, order_violations, accounting_errors,
                              revoked_while_held, revoked_by_fault (told by a page fault), revoked_by_check
                              (found by the state check alone), reuse_faults, fault_watch, expired_delivered,
                              lost (by reason), end, elapsed_ms
              exit status: 0 all packets intact, 1 a check failed or the stream could not be opened, 2 usage
            """;

    private ConsumeCommand() {
    }

    static int run(String[] argv, PrintStream out, PrintStream err) {
        Args args = Args.parse("consume", argv, 1, Set.of("count", "timeout-ms", "delay-us", "root"),
                Set.of("poll", "json", "help"));
        if (args.flag("help")) {
            out.print(USAGE);
            return 0;
        }
        String name = StreamOptions.name("consume", args);
        long timeoutMs = args.getLong("timeout-ms", 10_000);
        StreamDirectory dir = StreamOptions.directory(args);
        try (StopOnSignal stop = new StopOnSignal();
             StreamConsumer consumer = openWhenThere(dir, name, timeoutMs, stop)) {
            if (consumer == null) {
                err.println("dsi consume: no stream '" + name + "' in " + dir.root() + " after " + timeoutMs + " ms");
                return 1;
            }
            if (consumer.faultWatchMode() == FaultWatch.Mode.OFF) {
                err.println("dsi consume: revocations are found by the state check alone, no page-fault notification: "
                        + consumer.faultWatchCause());
            }
            ConsumeRun.Report r = new ConsumeRun(args.getLong("count", -1), timeoutMs * 1_000_000L,
                    args.getLong("delay-us", 0) * 1_000L, !args.flag("poll")).run(consumer, stop);
            print(name, r, args.flag("json"), out);
            return r.clean() ? 0 : 1;
        } catch (StreamAccessException e) {
            err.println("dsi consume: " + e.getMessage());
            return 1;
        }
    }

    /** Opens the stream, waiting for it to be created (start the consumer first if you like). */
    private static StreamConsumer openWhenThere(StreamDirectory dir, String name, long timeoutMs, StopOnSignal stop) {
        StreamDirectory.validateName(name);
        long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
        while (true) {
            try {
                return StreamConsumer.open(dir, name);
            } catch (StreamAccessException e) {
                if (e.reason() != StreamAccessException.Reason.NOT_FOUND || System.nanoTime() - deadline > 0
                        || stop.getAsBoolean()) {
                    if (e.reason() == StreamAccessException.Reason.NOT_FOUND) {
                        return null;
                    }
                    throw e;
                }
                LockSupport.parkNanos(10_000_000L);
            }
        }
    }

    private static void print(String name, ConsumeRun.Report r, boolean json, PrintStream out) {
        Map<String, Object> lost = new LinkedHashMap<>();
        for (LossReason reason : LossReason.values()) {
            lost.put(reason.name().toLowerCase(Locale.ROOT), r.lost().get(reason));
        }
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("stream", name);
            m.put("received", r.received());
            m.put("bytes", r.bytes());
            m.put("checksum_failures", r.checksumFailures());
            m.put("order_violations", r.orderViolations());
            m.put("accounting_errors", r.accountingErrors());
            m.put("revoked_while_held", r.invalidAfterRead());
            m.put("revoked_by_fault", r.revokedByFault());
            m.put("revoked_by_check", r.revokedByCheck());
            m.put("reuse_faults", r.reuseFaults());
            m.put("fault_watch", r.faultWatch().name().toLowerCase(Locale.ROOT));
            m.put("expired_delivered", r.expiredDelivered());
            m.put("lost", lost);
            m.put("lost_total", r.lostTotal());
            m.put("end", r.end().name().toLowerCase(Locale.ROOT));
            m.put("elapsed_ms", r.elapsedNs() / 1_000_000);
            out.println(Json.write(m));
            return;
        }
        out.printf("received %d packets (%s MiB) from '%s' in %d ms: %s packets/s; ended: %s%n", r.received(),
                StreamOptions.mib(r.bytes()), name, r.elapsedNs() / 1_000_000, StreamOptions.rate(r.received(), r.elapsedNs()),
                r.end().name().toLowerCase(Locale.ROOT).replace('_', ' '));
        out.printf("checks: checksum failures %d, order violations %d, loss accounting errors %d, expired delivered %d%s%n",
                r.checksumFailures(), r.orderViolations(), r.accountingErrors(), r.expiredDelivered(),
                r.clean() ? " - all intact" : " - FAILED");
        StringBuilder losses = new StringBuilder();
        lost.forEach((reason, n) -> {
            if ((long) n != 0) {
                losses.append(losses.isEmpty() ? "" : ", ").append(reason).append(' ').append(n);
            }
        });
        out.println("lost: " + (losses.isEmpty() ? "none" : r.lostTotal() + " (" + losses + ")")
                + (r.invalidAfterRead() > 0 ? "; " + r.invalidAfterRead() + " revoked while held (" + r.revokedByFault()
                + " told by page fault, " + r.revokedByCheck() + " by the state check; " + r.reuseFaults()
                + " reuse faults; fault watch " + r.faultWatch().name().toLowerCase(Locale.ROOT) + ")" : ""));
    }
}
