package io.dsipanama.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

import io.dsipanama.ffm.Feature;
import io.dsipanama.ffm.IoUringFeatures;
import io.dsipanama.ffm.SchedFeatures;
import io.dsipanama.ffm.UserfaultfdFeatures;
import io.dsipanama.stream.FaultWatch;
import io.dsipanama.stream.MemoryLock;
import io.dsipanama.rtu.BackendProbe;

/**
 * {@code dsi doctor [--json]}: probes every kernel feature and privilege the project uses, once, and
 * says for each whether it is available here and why not. The JSON has one object per feature under a
 * stable name, with {@code available} and {@code detail}.
 */
final class Doctor {
    private Doctor() {
    }

    static int run(String[] argv, PrintStream out) {
        Args args = Args.parse("doctor", argv, 1, Set.of(), Set.of("json"));
        List<Feature> features = probeAll();
        if (args.flag("json")) {
            Map<String, Object> json = new LinkedHashMap<>();
            for (Feature f : features) {
                Map<String, Object> o = new LinkedHashMap<>();
                o.put("available", f.available());
                o.put("detail", f.detail());
                json.put(f.name(), o);
            }
            out.println(Json.write(json));
        } else {
            out.println("DSI-Panama doctor: what this machine offers");
            int width = features.stream().mapToInt(f -> f.name().length()).max().orElse(10);
            for (Feature f : features) {
                out.printf("  %-" + width + "s  %-3s  %s%n", f.name(), f.available() ? "yes" : "NO", f.detail());
            }
            long missing = features.stream().filter(f -> !f.available()).count();
            out.println(missing == 0 ? "All features available."
                    : missing + " feature(s) unavailable: the modules that need them fall back and say so.");
        }
        return 0;
    }

    /** Every probe; a probe that fails unexpectedly is reported as unavailable with its exception. */
    static List<Feature> probeAll() {
        List<Feature> all = new ArrayList<>();
        add(all, "system", SystemFeatures::features);
        add(all, "io_uring", IoUringFeatures::features);
        add(all, "userfaultfd", UserfaultfdFeatures::features);
        add(all, "streams", () -> List.of(FaultWatch.feature(), MemoryLock.feature()));
        add(all, "sched", SchedFeatures::features);
        add(all, "rtu", BackendProbe::features);
        return all;
    }

    private static void add(List<Feature> all, String group, Supplier<List<Feature>> probe) {
        try {
            all.addAll(probe.get());
        } catch (RuntimeException | LinkageError e) {
            all.add(Feature.no(group, "probe failed: " + e));
        }
    }
}
