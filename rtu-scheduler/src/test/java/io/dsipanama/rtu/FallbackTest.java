package io.dsipanama.rtu;

import io.dsipanama.rtu.metrics.MetricsReader;
import io.dsipanama.rtu.registry.RegistryConfig;
import io.dsipanama.rtu.registry.ReserveEntryDescriptor;
import io.dsipanama.rtu.registry.ReserveId;
import io.dsipanama.rtu.registry.ReserveInfo;
import io.dsipanama.rtu.registry.ReserveRegistry;
import io.dsipanama.rtu.registry.TestRegistries;
import io.dsipanama.rtu.admission.Policy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The fallback path for real: a child JVM started through {@code prlimit --rtprio=0:0} and
 * {@code setpriv --bounding-set=-sys_nice --inh-caps=-sys_nice} (so it has neither CAP_SYS_NICE nor a
 * real-time priority limit) runs the scheduler. It must refuse when real time is required, fall back
 * otherwise, and say so: a WARNING, {@code realTime() == false}, the report, the doctor probe, the
 * registry entry's flags and the metrics file's {@code real_time} field, which this process reads.
 */
class FallbackTest {
    private final Path registry = TestRegistries.freshPath();

    @AfterEach
    void removeFiles() {
        TestRegistries.delete(registry);
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void withoutPrivilegesTheSchedulerFallsBackAndSaysSoEverywhere() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")) && Files.isExecutable(Path.of("/usr/bin/prlimit")),
                "needs setpriv and prlimit (util-linux) to start a JVM without CAP_SYS_NICE");
        assumeTrue(ProcessHandle.current().info().user().orElse("").equals("root"),
                "dropping CAP_SYS_NICE from the bounding set needs root (CAP_SETPCAP)");
        try (ReserveRegistry r = ReserveRegistry.open(registry, RegistryConfig.defaults(Policy.RM_EXACT))) {
            r.config(); // created by us, as the same user the child runs as
        }
        List<String> cmd = new ArrayList<>(List.of("prlimit", "--rtprio=0:0", "setpriv", "--bounding-set=-sys_nice",
                "--inh-caps=-sys_nice", "--", Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "--illegal-native-access=deny", "-XX:+UseSerialGC",
                "-cp", System.getProperty("java.class.path"), FallbackChild.class.getName(), registry.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        List<String> lines = new ArrayList<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String running = null;
            for (String line; (line = out.readLine()) != null; ) {
                lines.add(line);
                if (line.startsWith("report ")) {
                    running = lines.stream().filter(l -> l.startsWith("running ")).findFirst().orElseThrow();
                    checkFromOutside(running);
                    p.getOutputStream().write("exit\n".getBytes(StandardCharsets.UTF_8));
                    p.getOutputStream().flush();
                }
            }
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            String all = String.join("\n", lines);
            System.out.println("fallback child:\n" + all);
            assertEquals(0, p.exitValue(), all);
            assertTrue(running != null, "the child never ran its upcall:\n" + all);

            long capEff = Long.parseUnsignedLong(find(all, "CapEff: *([0-9a-f]+)"), 16);
            assertEquals(0, capEff >>> 23 & 1, "CAP_SYS_NICE is gone in the child:\n" + all);
            assertTrue(all.contains("required: refused a real-time backend is required"), all);
            assertTrue(all.contains("probe rtu_scheduler available=false NON-REAL-TIME FALLBACK"), all);
            assertTrue(all.contains("WARNING") && all.contains("WITHOUT real-time guarantees"), "the loud warning:\n" + all);
            assertTrue(running.contains("backend=FALLBACK realTime=false"), running);
            assertTrue(running.contains("vpPolicy=SCHED_OTHER"), running);
            assertTrue(all.contains("NO REAL-TIME GUARANTEES"), "the report says it:\n" + all);
            assertTrue(all.contains("EPERM"), "the reason names the refusal:\n" + all);
        } finally {
            p.destroyForcibly();
        }
    }

    /** While the child runs: its registry entry and metrics file, read by this process. */
    private void checkFromOutside(String running) throws IOException {
        ReserveId id = ReserveId.parse(find(running, "reserve=(\\d+:\\d+)"));
        try (ReserveRegistry r = ReserveRegistry.open(registry, null)) {
            ReserveInfo info = r.active().stream().filter(i -> i.id().equals(id)).findFirst().orElseThrow();
            assertEquals(Backend.FALLBACK.id(), (info.flags() & ReserveEntryDescriptor.FLAG_BACKEND_MASK)
                    >> ReserveEntryDescriptor.FLAG_BACKEND_SHIFT);
        }
        try (MetricsReader m = MetricsReader.open(Path.of(find(running, "metrics=(\\S+)")))) {
            assertFalse(m.realTime());
            assertEquals(Backend.FALLBACK.id(), m.backend());
            assertTrue(m.backendReason().contains("no real-time class permitted"), m.backendReason());
            assertTrue(m.find(id).response().getTotalCount() >= 20, "the child's histograms are published");
        }
    }

    private static String find(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        assertTrue(m.find(), regex + " in:\n" + text);
        return m.group(1);
    }
}
