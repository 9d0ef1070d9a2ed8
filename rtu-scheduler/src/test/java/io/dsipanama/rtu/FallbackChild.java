package io.dsipanama.rtu;

import io.dsipanama.ffm.Feature;
import io.dsipanama.ffm.Sched;
import io.dsipanama.ffm.Unistd;
import io.dsipanama.rtu.registry.ReserveCounter;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs in a JVM started without CAP_SYS_NICE and with RLIMIT_RTPRIO 0 ({@link FallbackTest}): tries a
 * scheduler that requires real time, then one on AUTO, runs a periodic upcall on it and reports what it got.
 * args[0] is the registry path.
 */
final class FallbackChild {
    private FallbackChild() {
    }

    public static void main(String[] args) throws Exception {
        Path registry = Path.of(args[0]);
        Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("CapEff"))
                .forEach(l -> System.out.println("status " + l.replace('\t', ' ')));
        try {
            RtScheduler.start(new SchedulerContext().registryPath(registry).requireRealTime(true)).close();
            System.out.println("required: started");
        } catch (IllegalStateException e) {
            System.out.println("required: refused " + e.getMessage());
        }
        for (Feature f : BackendProbe.features()) {
            System.out.println("probe " + f.name() + " available=" + f.available() + " " + f.detail());
        }
        try (RtScheduler s = RtScheduler.start(new SchedulerContext().registryPath(registry));
             BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            Reserve r = s.admit(ReserveSpec.of(1_000_000, 10_000_000).withName("fallback"));
            AtomicInteger tid = new AtomicInteger();
            r.startPeriodic(ctx -> tid.compareAndSet(0, Unistd.gettid()));
            while (r.counter(ReserveCounter.RELEASES) < 20) {
                Thread.sleep(10);
            }
            s.publishMetrics();
            System.out.println("running backend=" + s.backend() + " realTime=" + s.realTime() + " releases="
                    + r.counter(ReserveCounter.RELEASES) + " vpPolicy=" + Sched.policyName(Sched.getattr(tid.get()).policy())
                    + " metrics=" + s.metricsPath() + " reserve=" + r.id());
            System.out.println("report " + s.report().replace('\n', '|'));
            System.out.flush();
            in.readLine(); // "exit": the parent reads our metrics file meanwhile
        }
    }
}
