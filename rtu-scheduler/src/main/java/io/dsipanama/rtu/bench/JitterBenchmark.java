package io.dsipanama.rtu.bench;

import io.dsipanama.ffm.Time;
import io.dsipanama.rtu.Backend;
import io.dsipanama.rtu.OverrunPolicy;
import io.dsipanama.rtu.Reserve;
import io.dsipanama.rtu.ReserveSpec;
import io.dsipanama.rtu.RtScheduler;
import io.dsipanama.rtu.SchedulerContext;
import io.dsipanama.rtu.metrics.MetricsReader;
import io.dsipanama.rtu.registry.ReserveCounter;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import org.HdrHistogram.Histogram;

/**
 * Release jitter of a 1 ms periodic upcall, ours next to cyclictest (rt-tests) with the same period,
 * priority and CPU, and next to a plain {@link ScheduledExecutorService}, without and with a disturbing load,
 * in one run; then the per-upcall cost of the scheduler's budget accounting. Prints a markdown report.
 *
 * <pre>
 * java -XX:+UseZGC --enable-native-access=ALL-UNNAMED -cp cli/target/dsi.jar \
 *      io.dsipanama.rtu.bench.JitterBenchmark [--seconds 10] [--cpu 0] [--priority 80]
 * </pre>
 *
 * <p>Jitter is start minus the release time it answers: for us the virtual processor's start of the job
 * (after its wake-up and bookkeeping), for cyclictest its wake-up from clock_nanosleep, for the executor the
 * task's start against {@code first + k * period}. The load is one busy shell loop per CPU plus a
 * {@code dd if=/dev/zero of=/dev/null bs=4M} copying through the kernel, all at normal priority. Needs root
 * (or CAP_SYS_NICE) for the real-time runs.
 */
public final class JitterBenchmark {
    private static final long PERIOD_NS = 1_000_000;

    private record Result(String subject, String load, double p50Us, double p99Us, double maxUs, long samples,
                          String loadAverage) {
    }

    private JitterBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int seconds = intArg(args, "--seconds", 10);
        int cpu = intArg(args, "--cpu", 0);
        int priority = intArg(args, "--priority", 80);
        Path registryDir = Files.createTempDirectory(Path.of("/dev/shm"), "dsi-rtu-bench-");
        List<Result> results = new ArrayList<>();
        try {
            for (boolean loaded : new boolean[] {false, true}) {
                String load = loaded ? "loaded" : "idle";
                try (Load l = loaded ? Load.start() : null) {
                    results.add(ours(registryDir, cpu, priority, seconds, load));
                    results.add(cyclictest(cpu, priority, seconds, load));
                    results.add(executor(seconds, load));
                    if (l != null && !l.running()) {
                        throw new IllegalStateException("the load died during the run");
                    }
                }
            }
            print(results, seconds, cpu, priority);
            overhead(registryDir, cpu);
        } finally {
            try (var files = Files.list(registryDir)) {
                for (Path p : files.toList()) {
                    Files.deleteIfExists(p);
                }
            }
            Files.deleteIfExists(registryDir);
        }
    }

    private static Result ours(Path registryDir, int cpu, int priority, int seconds, String load) throws Exception {
        SchedulerContext ctx = new SchedulerContext().backend(Backend.FIFO).requireRealTime(true)
                .registryPath(registryDir.resolve("registry")).cpus(cpu);
        try (RtScheduler s = RtScheduler.start(ctx)) {
            Reserve r = s.admit(ReserveSpec.of(200_000, PERIOD_NS).withName("bench-1ms").withOverrun(OverrunPolicy.DEMOTE));
            if (r.priority() != priority) {
                throw new IllegalStateException("the reserve got SCHED_FIFO " + r.priority() + ", cyclictest would run at "
                        + priority + "; pass --priority " + r.priority());
            }
            long[] sink = new long[1];
            r.startPeriodic(c -> sink[0] += c.releaseNs() & 1);
            Thread.sleep(2000); // warm-up: JIT, page faults; its samples are discarded below
            s.publishMetrics();
            Histogram warm;
            try (MetricsReader m = MetricsReader.open(s.metricsPath())) {
                warm = m.find(r.id()).jitter().copy();
            }
            long misses0 = r.counter(ReserveCounter.DEADLINE_MISSES);
            long missed0 = r.counter(ReserveCounter.MISSED_RELEASES);
            Thread.sleep(seconds * 1000L);
            r.stop();
            long misses = r.counter(ReserveCounter.DEADLINE_MISSES) - misses0;
            long missed = r.counter(ReserveCounter.MISSED_RELEASES) - missed0;
            if (misses > 0) {
                // a wake-up later than a whole period is not in the jitter histogram: the late releases are
                // counted as missed and the job answers the latest one
                System.out.println("note (" + load + "): " + misses + " deadline misses of the 1 ms upcall, of which "
                        + missed + " missed releases (woken more than a period late)");
            }
            s.publishMetrics();
            try (MetricsReader m = MetricsReader.open(s.metricsPath())) {
                Histogram all = m.find(r.id()).jitter().copy();
                all.subtract(warm);
                        return new Result("DSI-Panama upcall (SCHED_FIFO " + priority + ")", load, all.getValueAtPercentile(50) / 1e3,
                        all.getValueAtPercentile(99) / 1e3, all.getMaxValue() / 1e3, all.getTotalCount(), loadAverage());
            }
        }
    }

    private static Result cyclictest(int cpu, int priority, int seconds, String load) throws IOException, InterruptedException {
        long loops = seconds * 1_000_000_000L / PERIOD_NS;
        List<String> cmd = List.of("cyclictest", "-m", "-q", "-p", Integer.toString(priority), "-i",
                Long.toString(PERIOD_NS / 1000), "-l", Long.toString(loops), "-a", Integer.toString(cpu), "-t", "1",
                "-h", "20000");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        Histogram h = new Histogram(1, 60_000_000_000L, 2);
        long maxUs = -1;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = out.readLine()) != null; ) {
                if (line.startsWith("# Max Latencies:")) {
                    maxUs = Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
                } else if (!line.startsWith("#") && line.matches("\\d+ \\d+")) {
                    String[] f = line.split(" ");
                    long count = Long.parseLong(f[1]);
                    if (count > 0) {
                        h.recordValueWithCount(Math.max(1, Long.parseLong(f[0]) * 1000), count);
                    }
                }
            }
        }
        if (p.waitFor() != 0 || maxUs < 0) {
            throw new IllegalStateException("cyclictest failed (is rt-tests installed? apt-get install rt-tests): " + cmd);
        }
        // cyclictest's histogram has 1 us buckets: a bucket's value is its lower bound
        return new Result("cyclictest -p " + priority + " (clock_nanosleep, C)", load, h.getValueAtPercentile(50) / 1e3,
                h.getValueAtPercentile(99) / 1e3, maxUs, h.getTotalCount(), loadAverage());
    }

    private static Result executor(int seconds, String load) throws Exception {
        Histogram h = new Histogram(1, 60_000_000_000L, 2);
        ScheduledExecutorService ex = Executors.newSingleThreadScheduledExecutor();
        ex.submit(() -> { }).get(); // the executor's thread and classes exist before the grid is fixed
        long[] k = {0};
        long[] firstNs = {0};
        Runnable task = () -> {
            long now = System.nanoTime();
            long release = firstNs[0] + k[0]++ * PERIOD_NS;
            if (now - firstNs[0] - 2_000_000_000L > 0) {
                h.recordValue(Math.max(1, Math.min(now - release, 60_000_000_000L)));
            }
        };
        // the executor's grid is the nanoTime() it reads inside scheduleAtFixedRate plus the delay: read ours
        // right before, with everything on the way already loaded, so the two differ by well under a microsecond
        firstNs[0] = System.nanoTime() + 10 * PERIOD_NS;
        ScheduledFuture<?> f = ex.scheduleAtFixedRate(task, 10 * PERIOD_NS, PERIOD_NS, TimeUnit.NANOSECONDS);
        Thread.sleep(2000 + seconds * 1000L + 10);
        f.cancel(false);
        ex.shutdown();
        ex.awaitTermination(5, TimeUnit.SECONDS);
        return new Result("ScheduledExecutorService (SCHED_OTHER)", load, h.getValueAtPercentile(50) / 1e3,
                h.getValueAtPercentile(99) / 1e3, h.getMaxValue() / 1e3, h.getTotalCount(), loadAverage());
    }

    /** Per-upcall cost of budget accounting: clock reads, and the virtual processor's CPU per job. */
    private static void overhead(Path registryDir, int cpu) throws Exception {
        int n = 2_000_000;
        long t0 = System.nanoTime();
        long sink = 0;
        for (int i = 0; i < n; i++) {
            sink += Time.clock_gettime(Time.CLOCK_THREAD_CPUTIME_ID);
        }
        double cpuClockNs = (System.nanoTime() - t0) / (double) n;
        t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            sink += Time.monotonicNs();
        }
        double monotonicNs = (System.nanoTime() - t0) / (double) n;
        System.out.printf(Locale.ROOT, "%n## Per-upcall overhead%n%nclock_gettime(CLOCK_THREAD_CPUTIME_ID): %.0f ns per read "
                + "(2 per job); CLOCK_MONOTONIC: %.0f ns per read (2 per job)%n%n", cpuClockNs, monotonicNs);
        System.out.println("| null upcall every 100 us, SCHED_FIFO | jobs | VP CPU per job | enforcer CPU per job |");
        System.out.println("|---|---|---|---|");
        for (OverrunPolicy policy : new OverrunPolicy[] {OverrunPolicy.NOTIFY, OverrunPolicy.DEMOTE}) {
            SchedulerContext ctx = new SchedulerContext().backend(Backend.FIFO).requireRealTime(true)
                    .registryPath(registryDir.resolve("registry")).cpus(cpu);
            try (RtScheduler s = RtScheduler.start(ctx)) {
                Reserve r = s.admit(ReserveSpec.of(50_000, 100_000).withName("overhead").withOverrun(policy));
                r.startPeriodic(c -> { });
                Thread.sleep(2000);
                var mx = ManagementFactory.getThreadMXBean();
                long vp = s.virtualProcessorThreadIds()[0];
                long enforcer = Thread.getAllStackTraces().keySet().stream()
                        .filter(t -> t.getName().equals("dsi-rtu-enforcer")).findFirst().orElseThrow().threadId();
                long jobs0 = r.counter(ReserveCounter.RELEASES);
                long vp0 = mx.getThreadCpuTime(vp);
                long en0 = mx.getThreadCpuTime(enforcer);
                Thread.sleep(3000);
                long jobs = r.counter(ReserveCounter.RELEASES) - jobs0;
                double vpNs = (mx.getThreadCpuTime(vp) - vp0) / (double) jobs;
                double enNs = (mx.getThreadCpuTime(enforcer) - en0) / (double) jobs;
                r.stop();
                System.out.printf(Locale.ROOT, "| overrun policy %s%s | %d | %.1f us | %.1f us |%n", policy,
                        policy == OverrunPolicy.DEMOTE ? " (enforcer watches every job)" : " (no enforcer)", jobs,
                        vpNs / 1e3, enNs / 1e3);
            }
        }
        System.out.println("\nVP CPU per job covers the whole loop: futex wake-up and sleep, release bookkeeping, the two "
                + "clock pairs, counters in the registry mapping, two histogram records." + (sink == 42 ? "" : ""));
    }

    private static void print(List<Result> results, int seconds, int cpu, int priority) {
        System.out.printf(Locale.ROOT, "# Release jitter of a 1 ms periodic upcall (%d s per run, CPU %d, priority %d)%n%n",
                seconds, cpu, priority);
        System.out.println("| subject | load | samples | p50 us | p99 us | max us | loadavg after |");
        System.out.println("|---|---|---|---|---|---|---|");
        for (Result r : results) {
            System.out.printf(Locale.ROOT, "| %s | %s | %d | %.1f | %.1f | %.1f | %s |%n", r.subject, r.load, r.samples,
                    r.p50Us, r.p99Us, r.maxUs, r.loadAverage);
        }
        System.out.println("\nRatios (ours / other; below 1 means ours is lower):\n");
        System.out.println("| load | vs | p50 | p99 | max |");
        System.out.println("|---|---|---|---|---|");
        for (int i = 0; i < results.size(); i += 3) {
            Result ours = results.get(i);
            for (Result other : List.of(results.get(i + 1), results.get(i + 2))) {
                System.out.printf(Locale.ROOT, "| %s | %s | %.2f | %.2f | %.2f |%n", ours.load,
                        other.subject.replaceAll(" \\(.*", ""), ratio(ours.p50Us, other.p50Us), ratio(ours.p99Us, other.p99Us),
                        ratio(ours.maxUs, other.maxUs));
            }
        }
    }

    /** The 1-minute load average: on a shared machine "idle" means "without our load", not idle. */
    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException e) {
            return "?";
        }
    }

    private static double ratio(double a, double b) {
        return b <= 0 ? Double.NaN : a / b;
    }

    private static int intArg(String[] args, String name, int fallback) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals(name)) {
                return Integer.parseInt(args[i + 1]);
            }
        }
        return fallback;
    }

    /** The disturbing load: a busy loop per CPU and a kernel memory copy, at normal priority. */
    private static final class Load implements AutoCloseable {
        private final List<Process> processes = new ArrayList<>();

        static Load start() throws IOException {
            Load l = new Load();
            int cpus = Runtime.getRuntime().availableProcessors();
            for (int i = 0; i < cpus; i++) {
                l.processes.add(new ProcessBuilder("timeout", "600", "sh", "-c", "while :; do :; done").start());
            }
            l.processes.add(new ProcessBuilder("timeout", "600", "dd", "if=/dev/zero", "of=/dev/null", "bs=4M")
                    .redirectErrorStream(true).start());
            return l;
        }

        boolean running() {
            return processes.stream().allMatch(Process::isAlive);
        }

        @Override
        public void close() {
            for (Process p : processes) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            }
        }
    }
}
