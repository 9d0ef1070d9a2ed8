package io.dsipanama.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * dsi send in one network namespace, dsi recv in another, joined by a veth pair: the stream produced on one
 * side is consumed intact on the other. Needs root and ip(8); the namespaces and links are removed afterwards
 * even on failure. Streams live in /dev/shm, which both namespaces share (same mount namespace), so the
 * producer and consumer run in this JVM's namespace and only the bridge's sockets cross the veth.
 */
@Timeout(90)
class StreamBridgeNetnsTest {
    private final String tag = Long.toString(ProcessHandle.current().pid() % 10_000) + (System.nanoTime() % 1000);
    private final String nsA = "dsi-a-" + tag;
    private final String nsB = "dsi-b-" + tag;
    private final Path root = Path.of("/dev/shm", "dsi-netns-test-" + tag);
    private final List<Process> children = new ArrayList<>();

    @BeforeEach
    void needRootAndIp() {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root to create network namespaces");
        assumeTrue(Files.isExecutable(Path.of("/usr/sbin/ip")) || Files.isExecutable(Path.of("/sbin/ip")),
                "needs ip(8) from iproute2");
    }

    @AfterEach
    void cleanUp() throws Exception {
        for (Process p : children) {
            p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
        ip(false, "netns", "del", nsA);
        ip(false, "netns", "del", nsB);
        if (Files.exists(root)) {
            try (Stream<Path> s = Files.walk(root)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    private static void ip(boolean check, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("ip"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(10, TimeUnit.SECONDS), "ip " + String.join(" ", args) + " hung");
        if (check) {
            assertEquals(0, p.exitValue(), "ip " + String.join(" ", args) + ": " + out);
        }
    }

    /** {@code dsi ARGS} in a child JVM inside namespace {@code ns}, output to {@code log}. */
    private Process dsiIn(String ns, Path log, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns,
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                Dsi.class.getName()));
        cmd.addAll(List.of(args));
        cmd.addAll(List.of("--root", root.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        children.add(p);
        return p;
    }

    @Test
    void aStreamCrossesAVethPairBetweenTwoNamespacesIntact() throws Exception {
        String vethA = "dsiva" + tag;
        String vethB = "dsivb" + tag;
        ip(true, "netns", "add", nsA);
        ip(true, "netns", "add", nsB);
        ip(true, "link", "add", vethA, "netns", nsA, "type", "veth", "peer", "name", vethB, "netns", nsB);
        ip(true, "-n", nsA, "addr", "add", "10.231.77.1/24", "dev", vethA);
        ip(true, "-n", nsB, "addr", "add", "10.231.77.2/24", "dev", vethB);
        for (String[] nsDev : new String[][] {{nsA, vethA}, {nsB, vethB}}) {
            ip(true, "-n", nsDev[0], "link", "set", nsDev[1], "up");
            ip(true, "-n", nsDev[0], "link", "set", "lo", "up");
        }
        Files.createDirectories(root);
        Path recvLog = Files.createTempFile("dsi-recv", ".json");
        Path sendLog = Files.createTempFile("dsi-send", ".json");
        try {
            Process recv = dsiIn(nsB, recvLog, "recv", "--listen", "10.231.77.2:47300", "--into", "far", "--create",
                    "--max-packet", "16K", "--policy", "block", "--descriptors", "256", "--timeout-ms", "30000", "--json");
            Process send = dsiIn(nsA, sendLog, "send", "near", "--to", "10.231.77.2:47300", "--priority", "5",
                    "--timeout-ms", "30000", "--json");
            StreamCommandsTestSupport support = new StreamCommandsTestSupport(root);
            var consumer = java.util.concurrent.CompletableFuture.supplyAsync(
                    () -> support.dsi("consume", "far", "--timeout-ms", "30000", "--json"));
            Thread.sleep(1500); // the receiver binds before the first datagram (a frame before it would be a gap)
            StreamCommandsTestSupport.Result produced = support.dsi("produce", "near", "--create", "--packets", "1500",
                    "--size", "1:16K", "--rate", "3000", "--policy", "block", "--missing-every", "100");
            assertEquals(0, produced.status(), produced.err());
            assertTrue(send.waitFor(40, TimeUnit.SECONDS), "dsi send did not end");
            assertTrue(recv.waitFor(40, TimeUnit.SECONDS), "dsi recv did not end");
            String sent = Files.readString(sendLog);
            String received = Files.readString(recvLog);
            assertEquals(0, send.exitValue(), sent);
            assertEquals(0, recv.exitValue(), received);
            StreamCommandsTestSupport.Result consumed = consumer.get(40, TimeUnit.SECONDS);
            assertEquals(0, consumed.status(), consumed.out() + consumed.err());
            // 1500 attempts, every 100th a MISSING marker: 1485 packets, 15 losses, all accounted on the far side
            assertTrue(sent.contains("\"packets\": 1485"), sent);
            assertTrue(received.contains("\"packets\": 1485"), received);
            assertTrue(received.contains("\"end\": \"end_frame\""), received);
            assertTrue(consumed.out().contains("\"received\": 1485"), consumed.out());
            assertTrue(consumed.out().contains("\"missing\": 15"), consumed.out());
            assertTrue(consumed.out().contains("\"lost_total\": 15"), consumed.out());
            assertTrue(consumed.out().contains("\"accounting_errors\": 0"), consumed.out());
            assertTrue(consumed.out().contains("\"checksum_failures\": 0"), consumed.out());
        } finally {
            Files.deleteIfExists(recvLog);
            Files.deleteIfExists(sendLog);
        }
    }
}
