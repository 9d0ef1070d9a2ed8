package io.dsipanama.stream;

import io.dsipanama.stream.synthetic.ConsumeRun;
import io.dsipanama.stream.synthetic.ProduceRun;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The other process of {@link StreamPeerTest}: {@code StreamPeerMain produce|consume ROOT NAME key=value...}
 * attaches to the stream, prints {@code attached}, optionally waits for {@code go} on stdin, runs a
 * {@link ProduceRun} or {@link ConsumeRun}, prints {@code report key=value ...}, then (with {@code hold=1})
 * waits for {@code exit} before closing the stream.
 */
public final class StreamPeerMain {
    public static void main(String[] args) throws Exception {
        Map<String, String> o = new HashMap<>();
        for (int i = 3; i < args.length; i++) {
            String[] kv = args[i].split("=", 2);
            o.put(kv[0], kv[1]);
        }
        StreamDirectory dir = new StreamDirectory(Path.of(args[1]));
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        if (args[0].equals("produce")) {
            try (StreamProducer p = StreamProducer.open(dir, args[2])) {
                System.out.println("attached");
                awaitGo(o, in);
                ProduceRun run = new ProduceRun(Long.parseLong(o.getOrDefault("packets", "1000")), -1,
                        Integer.parseInt(o.getOrDefault("min", "16")), Integer.parseInt(o.getOrDefault("max", "4096")),
                        Long.parseLong(o.getOrDefault("rate", "0")), o.getOrDefault("blocking", "1").equals("1"),
                        Integer.parseInt(o.getOrDefault("missingEvery", "0")), Long.parseLong(o.getOrDefault("seed", "7")),
                        Integer.parseInt(o.getOrDefault("reclaimEvery", "0")));
                ProduceRun.Report r = run.run(p, () -> false);
                System.out.println("report attempted=" + r.attempted() + " published=" + r.published() + " refused="
                        + r.refused() + " markers=" + r.markers() + " spool=" + p.spoolTarget() + " reclaimed=" + r.reclaimed()
                        + " revoked=" + p.stats().counter(StreamCounter.REVOKED) + " pages=" + p.stats().counter(StreamCounter.PAGES_RECLAIMED));
                hold(o, in);
            }
        } else {
            try (StreamConsumer c = StreamConsumer.open(dir, args[2])) {
                if (o.containsKey("spool")) {
                    c.spoolForward(Long.parseLong(o.get("spool")));
                }
                System.out.println("attached");
                awaitGo(o, in);
                ConsumeRun run = new ConsumeRun(Long.parseLong(o.getOrDefault("count", "-1")),
                        Long.parseLong(o.getOrDefault("timeoutMs", "20000")) * 1_000_000L,
                        Long.parseLong(o.getOrDefault("delayUs", "0")) * 1_000L, o.getOrDefault("blocking", "1").equals("1"));
                ConsumeRun.Report r = run.run(c, () -> false);
                StringBuilder line = new StringBuilder("report received=" + r.received() + " checksum=" + r.checksumFailures()
                        + " order=" + r.orderViolations() + " accounting=" + r.accountingErrors() + " invalid="
                        + r.invalidAfterRead() + " expiredDelivered=" + r.expiredDelivered() + " end=" + r.end());
                r.lost().forEach((reason, n) -> line.append(" lost.").append(reason).append('=').append(n));
                System.out.println(line);
                hold(o, in);
            }
        }
    }

    private static void awaitGo(Map<String, String> o, BufferedReader in) throws Exception {
        if (o.getOrDefault("wait", "0").equals("1")) {
            for (String line; (line = in.readLine()) != null && !line.equals("go"); ) {
                // wait for the parent
            }
        }
    }

    private static void hold(Map<String, String> o, BufferedReader in) throws Exception {
        if (o.getOrDefault("hold", "0").equals("1")) {
            for (String line; (line = in.readLine()) != null && !line.equals("exit"); ) {
                // keep the stream attached until the parent says so
            }
        }
    }

    /** Parses a {@code report k=v ...} line. */
    static Map<String, String> parse(String report) {
        Map<String, String> m = new HashMap<>();
        for (String w : report.split(" ")) {
            int eq = w.indexOf('=');
            if (eq > 0) {
                m.put(w.substring(0, eq), w.substring(eq + 1));
            }
        }
        return m;
    }
}
