package io.dsipanama.bench.handoff;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.HdrHistogram.Histogram;

/**
 * The cross-process hand-off harness: for each transport and size, creates the transport's medium,
 * starts a consumer JVM and then a producer JVM ({@link HandoffChild}), moves warm-up plus measured
 * packets through it, and reports packets/s, ns/packet and one-way latency percentiles (HdrHistogram,
 * from the send timestamp in each packet) as JSON and as a markdown table.
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED --add-opens java.base/jdk.internal.misc=ALL-UNNAMED \
 *      -cp bench/target/benchmarks.jar io.dsipanama.bench.handoff.CrossProcess \
 *      [--transport agrona,aeron] [--size 64,4096,65536,1048576,4194304] [--packets N] [--warmup N]
 *      [--rate HZ] [--verify] [--dir /dev/shm] [--json FILE] [--md FILE] [--timeout-s S] [--jvm-opt OPT]...
 * </pre>
 *
 * Defaults: every transport, the five sizes, packets = 2 GiB / size clamped to 2,000..200,000, warm-up
 * half of that but at least 5,000 (so that the JIT has settled: fewer leave a one-off ~24 KB of
 * deoptimisation and linkage garbage inside the measured packets), rate 0 (as fast as the transport accepts), no byte-by-byte check (the consumer then
 * does {@link Payload#touch}, as in the JMH benchmarks), files under {@code /dev/shm}. The children run
 * with our JVM flags, {@code -XX:+UseSerialGC} (no concurrent GC threads on a small machine; the hot
 * paths allocate nothing) and any {@code --jvm-opt}; {@code -Ddsi.bench.cpus} and {@code -Ddsi.native.lib}
 * are passed on. The media (and Aeron's driver) live in this coordinating JVM.
 */
public final class CrossProcess {
    static final List<String> CHILD_FLAGS = List.of("--enable-native-access=ALL-UNNAMED", "--illegal-native-access=deny",
            "--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED", "-XX:+UseSerialGC", "-Xmx512m");

    /** What to run; {@code packets} and {@code warmup} of -1 mean "from the size". */
    public record Options(List<String> transports, List<Integer> sizes, long packets, long warmup, long rateHz,
                          boolean verify, Path dir, Path json, Path markdown, Duration timeout, List<String> jvmOpts) {

        public static Options parse(String... args) {
            Map<String, String> values = new HashMap<>();
            List<String> jvmOpts = new ArrayList<>();
            boolean verify = false;
            for (int i = 0; i < args.length; i++) {
                String arg = args[i];
                if (arg.equals("--verify")) {
                    verify = true;
                } else if (arg.startsWith("--") && i + 1 < args.length) {
                    if (arg.equals("--jvm-opt")) {
                        jvmOpts.add(args[++i]);
                    } else {
                        values.put(arg.substring(2), args[++i]);
                    }
                } else {
                    throw new IllegalArgumentException("unexpected argument '" + arg + "'");
                }
            }
            List<String> transports = values.containsKey("transport")
                    ? List.of(values.remove("transport").split(",")) : HandoffTransports.names();
            transports.forEach(HandoffTransports::byName);
            List<Integer> sizes = Arrays.stream(values.getOrDefault("size", "64,4096,65536,1048576,4194304").split(","))
                    .map(String::trim).map(Integer::valueOf).toList();
            values.remove("size");
            Options options = new Options(transports, sizes,
                    Long.parseLong(orDefault(values, "packets", "-1")), Long.parseLong(orDefault(values, "warmup", "-1")),
                    Long.parseLong(orDefault(values, "rate", "0")), verify, Path.of(orDefault(values, "dir", "/dev/shm")),
                    values.containsKey("json") ? Path.of(values.remove("json")) : null,
                    values.containsKey("md") ? Path.of(values.remove("md")) : null,
                    Duration.ofSeconds(Long.parseLong(orDefault(values, "timeout-s", "300"))), List.copyOf(jvmOpts));
            if (!values.isEmpty()) {
                throw new IllegalArgumentException("unknown options " + values.keySet());
            }
            return options;
        }

        private static String orDefault(Map<String, String> values, String key, String fallback) {
            String value = values.remove(key);
            return value == null ? fallback : value;
        }

        long packetsFor(int size) {
            return packets > 0 ? packets : Math.clamp((2L << 30) / size, 2_000, 200_000);
        }

        long warmupFor(int size) {
            return warmup >= 0 ? warmup : Math.max(packetsFor(size) / 2, 5_000);
        }
    }

    private CrossProcess() {
    }

    public static void main(String[] args) throws Exception {
        Options options = Options.parse(args);
        System.out.println("# cross-process hand-off, " + Affinity.describe());
        List<RunResult> results = run(options, String.join(" ", args));
        System.out.print(RunResult.markdown(results));
    }

    /** Runs every transport x size of {@code options}; writes the JSON and markdown files if asked. */
    public static List<RunResult> run(Options options, String commandLine) throws IOException, InterruptedException {
        List<RunResult> results = new ArrayList<>();
        for (String transport : options.transports()) {
            for (int size : options.sizes()) {
                RunResult result = runOne(HandoffTransports.byName(transport), size, options);
                System.out.printf("# %s %d B: %.1f ns/packet, p50 %d ns, p99 %d ns%n", transport, size,
                        result.nsPerPacket(), result.latencyAtPercentileNs(50), result.latencyAtPercentileNs(99));
                results.add(result);
            }
        }
        if (options.json() != null) {
            Files.writeString(options.json(), RunResult.json(results, commandLine), StandardCharsets.UTF_8);
        }
        if (options.markdown() != null) {
            Files.writeString(options.markdown(), RunResult.markdown(results), StandardCharsets.UTF_8);
        }
        return results;
    }

    static RunResult runOne(HandoffTransport transport, int size, Options options) throws IOException, InterruptedException {
        long packets = options.packetsFor(size);
        long warmup = options.warmupFor(size);
        if (packets < 2) {
            throw new IllegalArgumentException("need at least 2 measured packets, got " + packets);
        }
        Duration timeout = options.timeout();
        try (HandoffTransport.Medium medium = transport.create(options.dir(), size)) {
            List<String> args = List.of(transport.name(), medium.location(), Integer.toString(size), Long.toString(packets),
                    Long.toString(warmup), Long.toString(options.rateHz()), Boolean.toString(options.verify()),
                    Long.toString(timeout.toSeconds()));
            try (ChildProcess consumer = new ChildProcess("consumer", command("consumer", args, options.jvmOpts()))) {
                consumer.expect("READY", timeout);
                try (ChildProcess producer = new ChildProcess("producer", command("producer", args, options.jvmOpts()))) {
                    producer.expect("READY", timeout);
                    Map<String, String> c = fields(consumer.expect("RESULT ", timeout));
                    Map<String, String> p = fields(producer.expect("RESULT ", timeout));
                    producer.send("EXIT");
                    int producerExit = producer.waitFor(timeout);
                    int consumerExit = consumer.waitFor(timeout);
                    if (producerExit != 0 || consumerExit != 0) {
                        throw new IllegalStateException("children exited with producer " + producerExit + ", consumer " + consumerExit);
                    }
                    Histogram latencies = Histogram.decodeFromCompressedByteBuffer(
                            ByteBuffer.wrap(Base64.getDecoder().decode(c.get("histogram"))), HandoffChild.MAX_LATENCY_NS);
                    return new RunResult(transport.name(), size, packets, warmup, options.rateHz(), options.verify(),
                            Long.parseLong(c.get("elapsedNs")) / (double) (packets - 1),
                            Long.parseLong(p.get("allocatedBytes")), Long.parseLong(c.get("allocatedBytes")),
                            Long.parseLong(p.get("backPressured")), Long.parseLong(c.get("gaps")),
                            Long.parseLong(c.get("corrupt")), latencies, p.get("cpu") + "," + c.get("cpu"));
                }
            }
        } catch (java.util.zip.DataFormatException e) {
            throw new IOException("the consumer's histogram did not decode", e);
        }
    }

    private static List<String> command(String role, List<String> args, List<String> jvmOpts) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(CHILD_FLAGS);
        cmd.addAll(jvmOpts);
        for (String property : List.of(Affinity.CPUS_PROPERTY, "dsi.native.lib", AeronTransport.MTU_PROPERTY)) {
            String value = System.getProperty(property);
            if (value != null) {
                cmd.add("-D" + property + "=" + value);
            }
        }
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(HandoffChild.class.getName());
        cmd.add(role);
        cmd.addAll(args);
        return cmd;
    }

    private static Map<String, String> fields(String line) {
        Map<String, String> map = new HashMap<>();
        for (String part : line.trim().split(" ")) {
            int eq = part.indexOf('=');
            if (eq > 0) {
                map.put(part.substring(0, eq), part.substring(eq + 1));
            }
        }
        return map;
    }
}
