package io.dsipanama.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Server mode end to end: two {@code dsi netd} processes (one per "host", over loopback), the application side
 * in this JVM. A stream produced here is sent by the first netd straight from its shared data area, received
 * by the second into another stream, and consumed here with every byte and every loss checked.
 */
@Timeout(90)
class NetdTest {
    private static final Pattern LISTEN = Pattern.compile("\"listen\": \\[\\s*\"([0-9.]+:[0-9]+)\"");
    private final Path root = Path.of("/dev/shm", "dsi-netd-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
    private final List<Process> children = new ArrayList<>();

    @AfterEach
    void cleanUp() throws Exception {
        for (Process p : children) {
            p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
        if (Files.exists(root)) {
            try (Stream<Path> s = Files.walk(root)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    /** A netd child JVM; its stdout goes to the returned file. */
    private Path netd(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                Dsi.class.getName(), "netd"));
        cmd.addAll(List.of(args));
        cmd.addAll(List.of("--root", root.toString(), "--json"));
        Path log = root.resolve("netd-" + children.size() + ".log");
        children.add(new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start());
        return log;
    }

    /** The first line of {@code log}, once netd wrote it (polled). */
    private static String ready(Path log) throws IOException, InterruptedException {
        long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() - deadlineNs < 0) {
            String text = Files.readString(log);
            int nl = text.indexOf('\n');
            if (nl >= 0) {
                String line = text.substring(0, nl);
                assertTrue(line.contains("\"event\": \"ready\""), text);
                return line;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("netd did not report ready: " + Files.readString(log));
    }

    /** The summary line (the second), after the process ended. */
    private static String summary(Path log) throws IOException {
        List<String> lines = Files.readAllLines(log);
        assertTrue(lines.size() >= 2, "no summary: " + lines);
        return lines.get(1);
    }

    @Test
    void aStreamCrossesTwoNetdProcessesIntactAndBothExitCleanly() throws Exception {
        Files.createDirectories(root);
        Path far = netd("--listen", "127.0.0.1:0=far,create", "--land", "--max-packet", "64K",
                "--policy", "block", "--descriptors", "256", "--exit-when-done");
        Matcher m = LISTEN.matcher(ready(far));
        assertTrue(m.find(), "listen address in the ready line");
        Path near = netd("--send", "near=" + m.group(1) + ",priority=5", "--exit-when-done");
        ready(near);
        StreamCommandsTestSupport app = new StreamCommandsTestSupport(root);
        CompletableFuture<StreamCommandsTestSupport.Result> consumer = CompletableFuture.supplyAsync(
                () -> app.dsi("consume", "far", "--timeout-ms", "30000", "--json"));
        // 2000 attempts of 1 B..16 KiB (about 40 % fragmented), every 100th a MISSING marker
        StreamCommandsTestSupport.Result produced = app.dsi("produce", "near", "--create", "--packets", "2000",
                "--size", "1:16K", "--rate", "2500", "--policy", "block", "--missing-every", "100");
        assertEquals(0, produced.status(), produced.err());
        StreamCommandsTestSupport.Result consumed = consumer.get(60, TimeUnit.SECONDS);
        assertEquals(0, consumed.status(), consumed.out() + consumed.err());
        assertTrue(consumed.out().contains("\"received\": 1980"), consumed.out());
        assertTrue(consumed.out().contains("\"missing\": 20"), consumed.out());
        assertTrue(consumed.out().contains("\"accounting_errors\": 0"), consumed.out());
        assertTrue(consumed.out().contains("\"checksum_failures\": 0"), consumed.out());
        for (int i = 0; i < 2; i++) {
            Process p = children.get(i);
            assertTrue(p.waitFor(20, TimeUnit.SECONDS), "netd did not exit when done");
            assertEquals(0, p.exitValue());
            String summary = summary(i == 0 ? far : near);
            assertTrue(summary.contains("\"end\": \"done\"") && summary.contains("\"packets\": 1980"), summary);
            if (i == 0) {
                assertTrue(!summary.contains("\"landed_in_place\": 0"), "one-datagram packets landed in claims: " + summary);
            }
        }
    }

    @Test
    void sigtermStopsAWaitingNetdWithItsSummary() throws Exception {
        Files.createDirectories(root);
        Path log = netd("--listen", "127.0.0.1:0=sink,create", "--send", "never=127.0.0.1:9");
        ready(log);
        Process p = children.getFirst();
        p.destroy(); // SIGTERM
        assertTrue(p.waitFor(10, TimeUnit.SECONDS), "netd did not stop on SIGTERM");
        String summary = summary(log);
        assertTrue(summary.contains("\"end\": \"stopped\"") && summary.contains("\"state\": \"waiting\""), summary);
    }
}
