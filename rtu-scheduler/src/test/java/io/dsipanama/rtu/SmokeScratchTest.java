package io.dsipanama.rtu;

import io.dsipanama.rtu.registry.ReserveCounter;
import io.dsipanama.rtu.registry.TestRegistries;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;

class SmokeScratchTest {
    @Test
    void smoke() throws Exception {
        Path path = TestRegistries.freshPath();
        try (RtScheduler s = RtScheduler.start(new SchedulerContext().registryPath(path))) {
            System.out.println(s.report());
            Reserve r = s.admit(ReserveSpec.of(1_000_000, 10_000_000).withName("smoke"));
            r.startPeriodic(ctx -> {
                long end = ctx.releaseNs() + 200_000;
                while (io.dsipanama.ffm.Time.monotonicNs() < end) {
                    Thread.onSpinWait();
                }
            });
            Thread.sleep(2000);
            s.publishMetrics();
            System.out.println(s.report());
            for (ReserveCounter c : ReserveCounter.values()) {
                System.out.println(c.label() + " = " + r.counter(c));
            }
            var h = r.histograms;
            System.out.println("jitter p50/p99/max " + h.jitter().getValueAtPercentile(50) + " " + h.jitter().getValueAtPercentile(99) + " " + h.jitter().getMaxValue());
            System.out.println("response p50/p99/max " + h.response().getValueAtPercentile(50) + " " + h.response().getValueAtPercentile(99) + " " + h.response().getMaxValue());
        } finally {
            TestRegistries.delete(path);
        }
    }
}
